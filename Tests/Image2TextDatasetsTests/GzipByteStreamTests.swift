import Foundation
import Testing
@testable import Image2TextDatasets

/// `.tar.gz` shards: inflated with zlib as they are read, several gzip members in a row, damage named with the offset.
@Suite struct GzipByteStreamTests {
    /// `bytes` compressed by the system's gzip.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-c", "-n"]
        let (input, output) = (Pipe(), Pipe())
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    static func inflate(_ compressed: [UInt8], piece: Int = 1000) throws -> [UInt8] {
        var stream = try GzipByteStream(MemoryByteStream(compressed), label: "shard.tar.gz")
        var bytes: [UInt8] = []
        while true {
            let next = try stream.read(piece)
            if next.isEmpty { return bytes }
            bytes += next
        }
    }

    @Test("inflates what gzip compressed, in pieces of any size, across concatenated members")
    func roundTrip() throws {
        let text = (0..<20_000).flatMap { Array("line \($0)\n".utf8) }
        #expect(try Self.inflate(try Self.gzip(text)) == text)
        #expect(try Self.inflate(try Self.gzip(text), piece: 7) == text)
        let halves = try Self.gzip(Array(text.prefix(5000))) + Self.gzip(Array(text.dropFirst(5000)))
        #expect(try Self.inflate(halves) == text)
    }

    @Test("a tar.gz shard reads as the tar it holds")
    func tarInside() throws {
        let tar = TarReaderTests.member("0.png", [1, 2, 3]) + TarReaderTests.member("0.json", Array("{}".utf8)) + TarReaderTests.end
        var reader = TarReader(try GzipByteStream(MemoryByteStream(try Self.gzip(tar)), label: "s.tar.gz"), label: "s.tar.gz")
        #expect(try reader.next()?.name == Array("0.png".utf8))
        #expect(try reader.next()?.data == Data("{}".utf8))
        #expect(try reader.next() == nil)
    }

    @Test("damaged or cut compressed data is an ArchiveError naming the file and the offset")
    func damaged() throws {
        let compressed = try Self.gzip(Array(repeating: 65, count: 100_000))
        #expect(throws: ArchiveError.damagedGzip(source: "shard.tar.gz", offset: compressed.count - 10, reason: "the file ends inside compressed data")) {
            try Self.inflate(Array(compressed.dropLast(10)))
        }
        do {
            _ = try Self.inflate(Array("not gzip at all".utf8))
            Issue.record("inflated")
        } catch let error as ArchiveError {
            #expect(error.description.hasPrefix("shard.tar.gz: damaged gzip data at byte "), "\(error)")
        }
    }

    @Test("a member larger than the limit is refused by name, before its data is read")
    func memberLimit() throws {
        let tar = TarReaderTests.member("big.png", Array(repeating: 1, count: 5000)) + TarReaderTests.end
        #expect(throws: ArchiveError.memberTooLarge(source: "shard.tar", member: "big.png", size: 5000, limit: 4096)) {
            try TarReaderTests.members(tar, limit: 4096)
        }
    }
}
