import Foundation

/// A JSON Lines file that results are appended to, one line at a time, so that an interrupted run leaves only whole
/// lines behind (a partial last line is cut off when the file is opened again).
final class JSONLinesFile {
    private let handle: FileHandle

    /// Opens `path` for appending, creating it if needed.
    init(path: String) throws {
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard files.createFile(atPath: path, contents: nil) else {
                throw InputError(path: path, message: "cannot create the output file")
            }
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw InputError(path: path, message: "cannot open the output file") }
        self.handle = handle
        let data = handle.readDataToEndOfFile()
        let whole = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        try handle.truncate(atOffset: UInt64(whole))
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    func append(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

    /// The `input` of every whole line already in `path` (none if the file does not exist).
    static func inputs(in path: String) throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var inputs = Set<String>()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], let input = object["input"] as? String {
                inputs.insert(input)
            }
        }
        return inputs
    }
}
