import Foundation
import Testing
@testable import Image2TextDatasets

/// The tar reader of WebDataset shards: regular members in order (ustar prefix and GNU long names), everything else
/// skipped, a damaged archive refused with an ``ArchiveError`` naming it and the header's offset.
@Suite struct TarReaderTests {
    /// A 512-byte header: `name`, an octal `size`, `type`, the ustar magic and a valid checksum (unless `checksum` is
    /// given).
    static func header(_ name: String, size: Int, type: Character = "0", prefix: String = "", checksum: String? = nil) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { block.replaceSubrange(offset..<offset + text.utf8.count, with: text.utf8) }
        put(name, at: 0)
        put(String(format: "%011o", size), at: 124)
        block[156] = type.asciiValue!
        put("ustar\u{0}00", at: 257)
        put(prefix, at: 345)
        put("        ", at: 148)
        put(checksum ?? String(format: "%06o\u{0} ", block.reduce(0) { $0 + Int($1) }), at: 148)
        return block
    }

    /// A header and its data, padded to whole blocks.
    static func member(_ name: String, _ data: [UInt8], type: Character = "0", prefix: String = "") -> [UInt8] {
        header(name, size: data.count, type: type, prefix: prefix) + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    static let end = [UInt8](repeating: 0, count: 1024)

    /// Every member of the tar archive `bytes`, read as a stream.
    static func members(_ bytes: [UInt8], limit: Int = TarReader<MemoryByteStream>.defaultMemberByteLimit) throws -> [TarReader<MemoryByteStream>.Member] {
        var reader = TarReader(MemoryByteStream(bytes), label: "shard.tar", memberByteLimit: limit)
        var members: [TarReader<MemoryByteStream>.Member] = []
        while let member = try reader.next() { members.append(member) }
        return members
    }

    @Test("regular members in order, named by the ustar prefix or a GNU long name; directories skipped")
    func members() throws {
        let longName = "shard/" + String(repeating: "x", count: 120) + ".png"
        let bytes = Self.member("a", [], type: "5") + Self.member("0.png", [1, 2, 3], prefix: "a/b")
            + Self.member("././@LongLink", Array(longName.utf8) + [0], type: "L") + Self.member("short.png", [4])
            + Self.member("notes.txt", Array("hello".utf8)) + Self.end
        let members = try Self.members(bytes)
        #expect(members.map(\.name) == ["a/b/0.png", longName, "notes.txt"].map { Array($0.utf8) })
        #expect(members.map { [UInt8]($0.data) } == [[1, 2, 3], [4], Array("hello".utf8)])
    }

    @Test("a bad checksum, an unreadable size or a member past the end is refused, naming the archive and the offset")
    func damaged() {
        let first = Self.member("0.png", [1])
        let cases: [([UInt8], ArchiveError)] = [
            (first + Self.header("1.png", size: 1, checksum: "0000000\u{0}") + Self.end,
             .damagedTar(source: "shard.tar", offset: 1024, reason: "header checksum mismatch")),
            (Self.header("1.png", size: 600) + [UInt8](repeating: 7, count: 512),
             .damagedTar(source: "shard.tar", offset: 0, reason: "a 600-byte member runs past the end")),
        ]
        for (bytes, error) in cases {
            #expect(throws: error) { try Self.members(bytes) }
        }
        var unreadableSize = Self.header("1.png", size: 0)
        unreadableSize.replaceSubrange(124..<127, with: Array("9zz".utf8))
        #expect(throws: ArchiveError.damagedTar(source: "shard.tar", offset: 0, reason: "unreadable size field")) {
            try Self.members(unreadableSize + Self.end)
        }
        #expect(ArchiveError.damagedTar(source: "shard.tar", offset: 1024, reason: "header checksum mismatch").description
                == "shard.tar: damaged tar archive at byte 1024: header checksum mismatch")
    }
}
