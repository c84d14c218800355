import Foundation

/// The regular files of a POSIX tar archive (ustar and GNU long names), as WebDataset shards hold them: read whole
/// into memory, members in archive order.
package struct TarArchive {
    package struct Member {
        /// The member's path in the archive, as stored (not necessarily UTF-8).
        package let name: [UInt8]
        package let data: Data
    }

    package let members: [Member]

    /// Reads `url`; see ``init(_:label:)``.
    package init(contentsOf url: URL, label: String) throws {
        try self.init(Data(contentsOf: url, options: .alwaysMapped), label: label)
    }

    /// Reads the archive in `bytes`; a damaged header, a size past the end of the data or a bad checksum is an
    /// ``ArchiveError`` naming `label` and the offset.
    package init(_ bytes: Data, label: String) throws {
        func damaged(_ offset: Int, _ reason: String) -> ArchiveError {
            .damagedTar(source: label, offset: offset, reason: reason)
        }
        var members: [Member] = []
        var offset = 0
        var longName: [UInt8]?
        while offset + 512 <= bytes.count {
            let header = bytes.subdata(in: offset..<offset + 512)
            if header.allSatisfy({ $0 == 0 }) { break }  // end-of-archive blocks
            guard let size = Self.octal(header, 124, 12) else { throw damaged(offset, "unreadable size field") }
            let stored = header.enumerated().reduce(0) { sum, byte in sum + ((148..<156).contains(byte.offset) ? 32 : Int(byte.element)) }
            guard Self.octal(header, 148, 8) == stored else { throw damaged(offset, "header checksum mismatch") }
            let start = offset + 512
            guard size >= 0, start + size <= bytes.count else { throw damaged(offset, "a \(size)-byte member runs past the end") }
            let type = header[156]
            let body = bytes.subdata(in: start..<start + size)
            switch type {
            case UInt8(ascii: "L"):  // GNU long name for the next member
                longName = Array(body.prefix { $0 != 0 })
            case 0, UInt8(ascii: "0"):
                let name = longName ?? Self.ustarName(header)
                members.append(Member(name: name, data: body))
                longName = nil
            default:
                longName = nil  // directories, links, pax headers: no data a dataset needs
            }
            offset = start + (size + 511) / 512 * 512
        }
        self.members = members
    }

    /// `prefix/name` of a ustar header.
    private static func ustarName(_ header: Data) -> [UInt8] {
        func field(_ start: Int, _ length: Int) -> [UInt8] {
            Array(header[header.startIndex + start..<header.startIndex + start + length].prefix { $0 != 0 })
        }
        let name = field(0, 100)
        let prefix = header[header.startIndex + 257..<header.startIndex + 262].elementsEqual("ustar".utf8) ? field(345, 155) : []
        return prefix.isEmpty ? name : prefix + Array("/".utf8) + name
    }

    /// An octal number field (NUL- or space-terminated).
    private static func octal(_ header: Data, _ start: Int, _ length: Int) -> Int? {
        let text = String(decoding: header[header.startIndex + start..<header.startIndex + start + length], as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
        return text.isEmpty ? 0 : Int(text, radix: 8)
    }
}
