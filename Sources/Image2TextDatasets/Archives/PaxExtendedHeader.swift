/// The records of a POSIX pax extended header (tar type `x`) that bear on a dataset: the next member's `path` and
/// `size`. Python's `tarfile`, and so WebDataset's `TarWriter`, writes one before any member whose name is longer than
/// the ustar fields or not ASCII, and leaves a truncated name in the ustar header; GNU tar does so with `--format=pax`.
struct PaxExtendedHeader: Equatable {
    /// The member's full path (the `path` record), as stored.
    var path: [UInt8]?
    /// The member's size (the `size` record), which replaces the ustar size field.
    var size: Int?

    /// The largest extended header read: far above a path and a size, and what else tar tools put there.
    static var byteLimit: Int { 1 << 20 }

    /// Parses records `LENGTH KEY=VALUE\n`, where LENGTH counts the whole record in decimal. Other keys are ignored;
    /// a record that does not parse is an error, given as its reason.
    init(_ bytes: [UInt8]) throws(Malformed) {
        var start = 0
        while start < bytes.count {
            if bytes[start] == 0 { break }  // NUL padding after the last record
            guard let space = bytes[start...].firstIndex(of: UInt8(ascii: " ")), space > start, space - start <= 7,
                  let length = Int(String(decoding: bytes[start..<space], as: UTF8.self)),
                  length > space - start + 2, length <= bytes.count - start
            else { throw Malformed(reason: "a pax record at byte \(start) has no valid length") }
            let record = bytes[(space + 1)..<(start + length)]
            guard record.last == UInt8(ascii: "\n"), let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw Malformed(reason: "the pax record at byte \(start) is not KEY=VALUE")
            }
            let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
            let value = record[(equals + 1)..<(record.endIndex - 1)]
            switch key {
            case "path":
                path = Array(value)
            case "size":
                guard value.count <= 18, !value.isEmpty, value.allSatisfy({ (48...57).contains($0) }),
                      let number = Int(String(decoding: value, as: UTF8.self))
                else { throw Malformed(reason: "the pax size record is not a decimal number") }
                size = number
            default:
                break
            }
            start += length
        }
    }

    struct Malformed: Error {
        let reason: String
    }
}
