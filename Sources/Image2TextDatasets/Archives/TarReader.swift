import Foundation

/// The regular files of a POSIX tar stream (ustar, GNU long names and pax extended headers' `path` and `size`), as
/// WebDataset shards hold them, one member at a time and in archive order: only the member being read is held in
/// memory, and it may hold at most ``memberByteLimit`` bytes. Directories, links and pax global headers are skipped.
package struct TarReader<Stream: ByteStream> {
    package struct Member {
        /// The member's path in the archive, as stored (not necessarily UTF-8).
        package let name: [UInt8]
        package let data: Data
    }

    private var stream: Stream
    private let label: String
    package let memberByteLimit: Int
    /// Bytes of the tar stream read so far.
    private var offset = 0
    private var finished = false

    /// A shard member larger than this is refused: 1 GiB, room for any image and most videos.
    package static var defaultMemberByteLimit: Int { 1 << 30 }
    /// The most a GNU long name may hold.
    static var longNameLimit: Int { 1 << 16 }

    /// Reads the tar stream `stream`; errors name `label`.
    package init(_ stream: Stream, label: String, memberByteLimit: Int = defaultMemberByteLimit) {
        self.stream = stream
        self.label = label
        self.memberByteLimit = memberByteLimit
    }

    /// The next regular member, or nil at the end of the archive. A damaged header, a member past the end of the data
    /// or a bad checksum is an ``ArchiveError`` naming the archive and the header's offset.
    package mutating func next() throws -> Member? {
        var longName: [UInt8]?
        var extended: PaxExtendedHeader?
        while !finished {
            let headerOffset = offset
            let header = try stream.read(512)
            offset += header.count
            if header.isEmpty || header.allSatisfy({ $0 == 0 }) {
                finished = true  // end-of-archive blocks, or an archive without them
                break
            }
            guard header.count == 512 else { throw damaged(headerOffset, "the data ends inside a header") }
            guard let storedSize = Self.octal(header, 124, 12), storedSize >= 0 else { throw damaged(headerOffset, "unreadable size field") }
            let stored = header.enumerated().reduce(0) { sum, byte in sum + ((148..<156).contains(byte.offset) ? 32 : Int(byte.element)) }
            guard Self.octal(header, 148, 8) == stored else { throw damaged(headerOffset, "header checksum mismatch") }
            let type = header[156]
            let isRegular = type == 0 || type == UInt8(ascii: "0")
            let isLongName = type == UInt8(ascii: "L"), isExtended = type == UInt8(ascii: "x")
            let size = isRegular ? extended?.size ?? storedSize : storedSize
            let name = extended?.path ?? longName ?? Self.ustarName(header)
            if isRegular && size > memberByteLimit {
                throw ArchiveError.memberTooLarge(source: label, member: PrintableName.escaped(name), size: size, limit: memberByteLimit)
            }
            if isLongName && size > Self.longNameLimit { throw damaged(headerOffset, "a \(size)-byte long name") }
            if isExtended && size > PaxExtendedHeader.byteLimit { throw damaged(headerOffset, "a \(size)-byte pax header") }
            let body = try readBody(size, keep: isRegular || isLongName || isExtended, headerOffset: headerOffset)
            if isLongName {
                longName = Array(body.prefix { $0 != 0 })
            } else if isExtended {
                do { extended = try PaxExtendedHeader(body) } catch { throw damaged(headerOffset, error.reason) }
            } else if isRegular {
                return Member(name: name, data: Data(body))
            } else {
                (longName, extended) = (nil, nil)  // directories, links, global headers: no data a dataset needs
            }
        }
        return nil
    }

    /// The `size` bytes of a member and its padding to whole blocks; kept only when `keep`, else read and dropped in
    /// bounded pieces.
    private mutating func readBody(_ size: Int, keep: Bool, headerOffset: Int) throws -> [UInt8] {
        let padded = (size + 511) / 512 * 512
        var body: [UInt8] = []
        var left = padded
        while left > 0 {
            let piece = try stream.read(min(left, 1 << 20))
            offset += piece.count
            if piece.isEmpty {
                // The padding of the last member may be missing; its data may not.
                guard padded - left >= size else { throw damaged(headerOffset, "a \(size)-byte member runs past the end") }
                break
            }
            if keep { body += piece }
            left -= piece.count
        }
        return keep ? Array(body.prefix(size)) : []
    }

    private func damaged(_ offset: Int, _ reason: String) -> ArchiveError {
        .damagedTar(source: label, offset: offset, reason: reason)
    }

    /// `prefix/name` of a ustar header.
    private static func ustarName(_ header: [UInt8]) -> [UInt8] {
        func field(_ start: Int, _ length: Int) -> [UInt8] { Array(header[start..<start + length].prefix { $0 != 0 }) }
        let name = field(0, 100)
        let prefix = header[257..<262].elementsEqual("ustar".utf8) ? field(345, 155) : []
        return prefix.isEmpty ? name : prefix + Array("/".utf8) + name
    }

    /// An octal number field (NUL- or space-terminated).
    private static func octal(_ header: [UInt8], _ start: Int, _ length: Int) -> Int? {
        let text = String(decoding: header[start..<start + length], as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
        return text.isEmpty ? 0 : Int(text, radix: 8)
    }
}
