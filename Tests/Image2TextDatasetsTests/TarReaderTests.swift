import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2TextDatasets

/// The tar reader of WebDataset shards: regular members in order (ustar prefix, GNU long names, pax `path` and
/// `size`), everything else skipped, a damaged archive refused with an ``ArchiveError`` naming it and the header's
/// offset.
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

    /// A pax extended header (type `x`) holding `records`, each written `LENGTH KEY=VALUE\n`.
    static func pax(_ records: [(String, String)]) -> [UInt8] {
        let body = records.map { key, value in
            let text = " \(key)=\(value)\n"
            var length = text.utf8.count + 1
            while String(length).count + text.utf8.count != length { length += 1 }
            return "\(length)\(text)"
        }.joined()
        return member("PaxHeaders/x", Array(body.utf8), type: "x")
    }

    @Test("a shard written by Python's tarfile in pax format (as WebDataset's TarWriter does): full long and non-ASCII names")
    func pythonPaxShard() throws {
        let bytes = try [UInt8](Data(contentsOf: Repository.fixture("datasets/pax-shard.tar")))
        let members = try Self.members(bytes)
        let long = "shard-0/" + String(repeating: "long-key-", count: 14) + "0001"
        #expect(members.map { String(decoding: $0.name, as: UTF8.self) } == [
            long + ".png", long + ".txt", "shard-0/café-über-0002.png", "shard-0/café-über-0002.txt", "shard-0/short-0003.txt",
        ])
        #expect(members[0].data == (try Data(contentsOf: Repository.fixture("easyvqa/0.png"))))
        #expect(members.map(\.data.count) == [385, 14, 562, 6, 5])
    }

    @Test("pax path and size apply to the next member only; global headers are skipped; other keys are ignored")
    func paxRecords() throws {
        let bytes = Self.pax([("mtime", "1.5"), ("path", "dir/é-\(String(repeating: "k", count: 150)).png"), ("SCHILY.xattr.user.a", "b=c")])
            + Self.member("truncated.png", [1, 2])
            + Self.member("PaxHeaders/g", Array("19 path=global.png\n".utf8), type: "g")
            + Self.member("plain.png", [3])
            + Self.pax([("size", "4")]) + Self.header("sized.png", size: 0) + [5, 6, 7, 8] + [UInt8](repeating: 0, count: 508)
            + Self.end
        let members = try Self.members(bytes)
        #expect(members.map { String(decoding: $0.name, as: UTF8.self) }
                == ["dir/é-\(String(repeating: "k", count: 150)).png", "plain.png", "sized.png"])
        #expect(members.map { [UInt8]($0.data) } == [[1, 2], [3], [5, 6, 7, 8]])
        #expect(throws: ArchiveError.memberTooLarge(source: "shard.tar", member: "big.png", size: 1 << 40, limit: 1 << 30)) {
            try Self.members(Self.pax([("size", "\(1 << 40)")]) + Self.header("big.png", size: 0) + Self.end)
        }
    }

    @Test("a malformed or oversized pax header is refused, naming the archive and its offset")
    func malformedPax() {
        let cases: [([UInt8], String)] = [
            (Self.member("PaxHeaders/x", Array("99 path=a\n".utf8), type: "x"), "a pax record at byte 0 has no valid length"),
            (Self.member("PaxHeaders/x", Array("x path=a\n".utf8), type: "x"), "a pax record at byte 0 has no valid length"),
            (Self.member("PaxHeaders/x", Array("10 patha\n\n".utf8), type: "x"), "the pax record at byte 0 is not KEY=VALUE"),
            (Self.pax([("size", "-1")]), "the pax size record is not a decimal number"),
            (Self.pax([("size", String(repeating: "9", count: 19))]), "the pax size record is not a decimal number"),
            (Self.header("PaxHeaders/x", size: (1 << 20) + 1, type: "x"), "a 1048577-byte pax header"),
        ]
        for (bytes, reason) in cases {
            #expect(throws: ArchiveError.damagedTar(source: "shard.tar", offset: 1024, reason: reason)) {
                try Self.members(Self.member("0.png", [1]) + bytes + Self.member("1.png", [2]) + Self.end)
            }
        }
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
