import Foundation
import Testing
@testable import Image2Text

/// Files whose header declares an image (under the pixel limit) that the data present cannot fill: refused as
/// truncated before the image is allocated, or, where Pillow decodes them, decoded with the limit applying to what
/// is allocated.
extension MediaTests {
    @Test("A GIF frame placed far past the logical screen enlarges the image, and the pixel limit applies to that size")
    func gifFrameFarPastScreen() throws {
        // 29 bytes: a 1×1 screen without colour table, a 1×1 frame at (13000, 13000), LZW: clear, 0, end.
        var gif = Array("GIF89a".utf8) + [1, 0, 1, 0, 0, 0, 0]
        gif += [0x2C, 0xC8, 0x32, 0xC8, 0x32, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B]
        #expect(gif.count == 29)
        #expect(try GIFDecoder().dimensions(of: Data(gif), source: "far.gif") == (13001, 13001))
        // Pillow 13 decodes it to 13001×13001 black (a 507 MB RGB image); a limit below that refuses it unread.
        let limit = ImageLimits(maximumPixels: 13001 * 13001 - 1)
        #expect(throws: ImageError.tooManyPixels(source: "far.gif", width: 13001, height: 13001, limit: 13001 * 13001 - 1)) {
            try ImageDecoder.decode(data: Data(gif), source: "far.gif", limits: limit)
        }
    }

    @Test("A JPEG whose scans are far shorter than its frame header's size is refused as truncated, with or without EOI",
          arguments: ["pattern_444.jpg", "pattern_420.jpg", "gray.jpg", "pattern_progressive.jpg", "astronaut_progressive.jpg"])
    func jpegScansShorterThanDeclaredSize(name: String) throws {
        // 65500×2700 = 176.9 M pixels, under the limit; the scans of a small image code a few thousand blocks of them.
        let enlarged = try Self.jpeg(Data(contentsOf: Fixtures.image(name)), declaring: 65500, 2700)
        for file in [enlarged, enlarged.dropLast(2)] {
            let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(data: file, source: name) }
            guard case .truncatedData(name, .jpeg, let reason) = error else {
                Issue.record("\(name): unexpected \(error)")
                continue
            }
            #expect(reason.contains("65500×2700"), "\(reason)")
        }
    }

    @Test("The scan layout of every JPEG fixture is read, and its scans hold more than the bound", arguments: [
        ("astronaut_progressive.jpg", true), ("coffee.jpg", false), ("gray.jpg", false), ("odd_17x23.jpg", false),
        ("pattern_420.jpg", false), ("pattern_422.jpg", false), ("pattern_444.jpg", false), ("pattern_cmyk.jpg", false),
        ("pattern_progressive.jpg", true), ("rocket.jpg", false), ("tall_90x700.jpg", false),
    ])
    func jpegFixtureLayouts(name: String, isProgressive: Bool) throws {
        let data = try Data(contentsOf: Fixtures.image(name))
        let layout = try #require(data.withUnsafeBytes { JPEGScanLayout($0) })
        let image = try ImageDecoder.decode(data: data, source: name)
        #expect(layout.width == image.width && layout.height == image.height)
        #expect(layout.coding == (isProgressive ? .progressiveHuffman : .sequentialHuffman))
        #expect(layout.minimumScanBytes > 0 && layout.scanBytes > 2 * layout.minimumScanBytes)
        #expect(layout.scanBytes < data.count)
    }

    @Test("A PNG whose IDAT data cannot inflate to its declared size is refused as truncated before decoding")
    func pngImageDataShorterThanDeclaredSize() throws {
        // 16000×10000 RGB (160 M pixels, 480 MB of samples) with one row of data: at most 1032 times 48 KB inflated.
        let huge = Self.png(width: 16000, height: 10000, rows: 1)
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(data: huge, source: "huge.png") }
        guard case .truncatedData("huge.png", .png, let reason) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(reason.contains("IDAT"), "\(reason)")
        // Data that could be whole but ends early (libpng: "Not enough image data"; Pillow fills zeros) is truncated too.
        let short = try #require(throws: ImageError.self) {
            try ImageDecoder.decode(data: Self.png(width: 64, height: 64, rows: 1), source: "short.png")
        }
        guard case .truncatedData("short.png", .png, _) = short else {
            Issue.record("unexpected \(short)")
            return
        }
        // The same builder with every row gives an image.
        #expect(try ImageDecoder.decode(data: Self.png(width: 64, height: 64, rows: 64), source: "whole.png").width == 64)
    }

    @Test("A PNG chunk declaring more bytes than the file holds is refused before libpng allocates its length")
    func pngChunkLongerThanFile() throws {
        // A 9×7 RGBA header, then an eXIf chunk declaring 0x6b00001a bytes (1.8 GB; libpng allocates an eXIf
        // chunk's declared length before reading it), found by the png fuzz target.
        var png = PNGDecoder.signature + [0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, 9, 0, 0, 0, 7, 8, 6, 0, 0, 0]
        png += [0xDA, 0x9B, 0x67, 0x60] + [0x6B, 0, 0, 0x1A] + Array("eXIf".utf8) + [UInt8](repeating: 0x8F, count: 100)
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(data: Data(png), source: "long.png") }
        guard case .truncatedData("long.png", .png, let reason) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(reason == "the eXIf chunk at byte 33 declares 1795162138 bytes; 100 follow")
        // A file cut inside a chunk header is truncated too.
        let cut = try #require(throws: ImageError.self) {
            try ImageDecoder.decode(data: Data(png.prefix(40)), source: "cut.png")
        }
        guard case .truncatedData("cut.png", .png, _) = cut else {
            Issue.record("unexpected \(cut)")
            return
        }
    }

    /// `jpeg` with the frame header's height and width replaced.
    static func jpeg(_ jpeg: Data, declaring width: Int, _ height: Int) throws -> Data {
        var bytes = [UInt8](jpeg)
        var offset = 2
        while offset + 9 < bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            if (0xC0...0xC2).contains(marker) {
                bytes.replaceSubrange((offset + 5)..<(offset + 9), with: [UInt8(height >> 8), UInt8(height & 255), UInt8(width >> 8), UInt8(width & 255)])
                return Data(bytes)
            }
            offset += 2 + (Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]))
        }
        throw ImageError.corruptData(source: "test", format: .jpeg, reason: "no frame header before the scans")
    }

    /// An 8-bit RGB PNG declaring `width`×`height` whose IDAT holds the first `rows` rows (black, filter 0) as
    /// stored deflate blocks, then IEND.
    static func png(width: Int, height: Int, rows: Int) -> Data {
        func uint32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        func chunk(_ type: String, _ payload: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + payload
            return uint32(payload.count) + body + uint32(Int(StateDictWriter.crc32(Data(body))))
        }
        let raw = [UInt8](repeating: 0, count: rows * (1 + 3 * width))
        var zlib: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let length = min(65535, raw.count - start)
            let isLast = start + length == raw.count
            zlib += [isLast ? 1 : 0, UInt8(length & 255), UInt8(length >> 8), UInt8(~length & 255), UInt8((~length >> 8) & 255)]
            zlib += raw[start..<start + length]
            start += length
        } while start < raw.count
        let (a, b) = raw.reduce((1, 0)) { sums, byte in ((sums.0 + Int(byte)) % 65521, (sums.1 + (sums.0 + Int(byte)) % 65521) % 65521) }
        zlib += uint32(b << 16 | a)
        let header = uint32(width) + uint32(height) + [8, 2, 0, 0, 0]
        return Data(PNGDecoder.signature + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", []))
    }
}
