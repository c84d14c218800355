import Foundation

/// The bytes libFuzzer hands `LLVMFuzzerTestOneInput`.
public enum FuzzInput {
    /// The input in place: libFuzzer's own heap buffer, so the address sanitizer checks every read a parser makes.
    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: count > 0 ? start : nil, count: count)
    }

    /// A copy of the input.
    public static func data(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        Data(bytes(start, count))
    }

    /// The input as text, at most `limit` bytes of it (invalid UTF-8 repaired), for a target that also tokenizes.
    public static func text(_ data: Data, limit: Int = 256) -> String {
        String(decoding: data.prefix(limit), as: UTF8.self)
    }
}
