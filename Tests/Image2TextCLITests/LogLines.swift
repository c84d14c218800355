import Foundation
import Image2TextTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Image2Text
import Testing

/// The JSON objects a process writes to a pipe, one per line, read as they come.
struct LogLines {
    private let handle: FileHandle
    private var buffered = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    /// The first of the next records that satisfies `matches`; nil at the end of the output.
    mutating func first(where matches: ([String: Any]) -> Bool) -> [String: Any]? {
        while let line = nextLine() {
            if let record = try? JSONSerialization.jsonObject(with: line) as? [String: Any], matches(record) { return record }
        }
        return nil
    }

    private mutating func nextLine() -> Data? {
        while true {
            if let end = buffered.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffered[buffered.startIndex..<end]
                buffered = Data(buffered[(end + 1)...])
                return Data(line)
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffered.append(chunk)
        }
    }
}
