import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// WebP, GIF, BMP, TIFF and EXIF orientation against Pillow 13 + transformers' `convert_to_rgb`
/// (golden: `tools/reference/make_media_format_fixtures.py`).
@Suite struct ImageFormatTests {
    @Test("Decoded RGB equals Pillow's byte for byte", arguments: try ImageFormatGolden.load().images.map(\.name))
    func decodedRGBEqualsPillow(name: String) throws {
        let golden = try ImageFormatGolden.image(named: name)
        let image = try ImageDecoder.decode(contentsOf: Fixtures.image(name))
        #expect(image.width == golden.width && image.height == golden.height)
        #expect(SHA256.hexDigest(image.pixels) == golden.rgbSha256, "\(name) (Pillow \(golden.format) mode \(golden.pillowMode), \(golden.frames) frames)")
    }

    @Test("EXIF orientation is applied as ImageOps.exif_transpose when asked",
          arguments: try ImageFormatGolden.load().images.filter { $0.exifOrientation != nil }.map(\.name))
    func exifOrientationApplied(name: String) throws {
        let golden = try ImageFormatGolden.image(named: name)
        let expected = try #require(golden.exifTransposed)
        let data = try Data(contentsOf: Fixtures.image(name))
        let decoder = try ImageDecoder.decoder(for: data, source: name)
        let exif = try #require(decoder.exifPayload(in: data))
        #expect(EXIFOrientation(exif: exif)?.value == golden.exifOrientation)

        let upright = try ImageDecoder.decode(contentsOf: Fixtures.image(name), orientation: .applyEXIF)
        #expect(upright.width == expected.width && upright.height == expected.height)
        #expect(SHA256.hexDigest(upright.pixels) == expected.rgbSha256, "\(name): orientation \(golden.exifOrientation ?? 0)")
    }

    @Test("EXIF orientation is ignored by default, as transformers ignores it")
    func exifIgnoredByDefault() throws {
        let url = Fixtures.image("exif/orientation_6.jpg")
        let stored = try ImageDecoder.decode(contentsOf: url)
        #expect(stored == (try ImageDecoder.decode(contentsOf: url, orientation: .ignoreEXIF)))
        #expect(stored.width == 48 && stored.height == 32)
        #expect(try ImageDecoder.decode(contentsOf: url, orientation: .applyEXIF).width == 32)
        // GIF has no EXIF: asking changes nothing.
        let gif = Fixtures.image("formats/global_palette.gif")
        #expect(try ImageDecoder.decode(contentsOf: gif, orientation: .applyEXIF) == (try ImageDecoder.decode(contentsOf: gif)))
    }

    /// TIFF blocks whose orientation Pillow 13's `Image.getexif()` reads as stated (checked through PNG eXIf chunks).
    @Test("The Orientation tag is read as Pillow reads it", arguments: [
        ("49492a0008000000010012010300010000000600000000000000", 6),  // little-endian SHORT
        ("4d4d2a0000000008000101120003000000010006000000000000", 6),  // big-endian, the "MM*\0" header Pillow accepts
        ("45786966000045786966000049492a0008000000010012010300010000000600000000000000", 6),  // two Exif\0\0 prefixes
        ("49492a0008000000020012016300010000000300000012010300010000000600000000000000", 6),  // unknown type skipped
        ("49492a0008000000020012010300000000000000000012010300010000000800000000000000", 8),  // no data: skipped
        ("49492a0008000000010012010300020000000600060000000000", 6),  // two values: the first
        ("49492a0008000000010012010800010000000700000000000000", 7),  // SSHORT
        ("49492a0008000000010012010d00010000000200000000000000", 2),  // IFD type: an integer
        ("49492a0008000000010012010300010000000900000000000000", 9),  // out of range: read, not applied
    ])
    func orientationTag(hex: String, expected: Int) throws {
        let orientation = try #require(EXIFOrientation(exif: Self.bytes(hex)))
        #expect(orientation.value == expected)
        #expect((orientation.transpose == nil) == !(2...8).contains(expected))
    }

    @Test("A block without a readable orientation gives none", arguments: [
        "49492a0008000000020012010100010000000300000012010300010000000600000000000000",  // BYTE (bytes in Pillow) wins
        "49492a000800000002001201030003000000e803000012010300010000000500000000000000",  // data past the end: stop
        "49492a00080000000200000103000100000001000000120103000100",  // the directory ends inside an entry
        "58582a0008000000010012010300010000000600000000000000",  // no TIFF header (Pillow raises; we ignore it)
        "45786966000045786966000045786966000049492a0008000000010012010300010000000600000000000000",  // three prefixes
    ])
    func unreadableOrientation(hex: String) {
        #expect(EXIFOrientation(exif: Self.bytes(hex)) == nil)
    }

    @Test("Bad GIF, WebP, BMP and TIFF inputs give the right typed error naming the file",
          arguments: try ImageFormatGolden.load().bad.map(\.name))
    func badInputGivesTypedError(name: String) throws {
        let path = Fixtures.image(name).path
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(contentsOf: Fixtures.image(name)) }
        #expect(error.description.hasPrefix(path + ": "))
        switch (name, error) {
        case ("bad/truncated.gif", .truncatedData(path, .gif, _)), ("bad/early_end_code.gif", .truncatedData(path, .gif, _)),
            ("bad/frame_without_data.gif", .truncatedData(path, .gif, _)), ("bad/truncated.webp", .truncatedData(path, .webp, _)),
            ("bad/short_lossy_data.webp", .truncatedData(path, .webp, _)):
            break
        case ("bad/bad_lzw.gif", .corruptData(path, .gif, let reason)): #expect(reason.contains("LZW"))
        case ("bad/no_image.gif", .corruptData(path, .gif, _)), ("bad/zero_size_frame.gif", .corruptData(path, .gif, _)),
            ("bad/corrupt.webp", .corruptData(path, .webp, _)):
            break
        case ("bad/huge_65535x65535.gif", .tooManyPixels(path, 65535, 65535, 178_956_970)),
            ("bad/huge_20000x20000.bmp", .tooManyPixels(path, 20000, 20000, 178_956_970)),
            ("bad/huge_40000x40000.tif", .tooManyPixels(path, 40000, 40000, 178_956_970)):
            break
        case ("bad/truncated.bmp", .truncatedData(path, .bmp, _)), ("bad/short_rle8.bmp", .truncatedData(path, .bmp, _)),
            ("bad/truncated.tif", .truncatedData(path, .tiff, _)):
            break
        case ("bad/unsupported_bitfields.bmp", .unsupportedVariant(path, .bmp, let variant)): #expect(variant.contains("0xff, 0xff00"))
        default: Issue.record("\(name): unexpected error \(error) (Pillow: \(try ImageFormatGolden.load().bad.first { $0.name == name }?.pillowError ?? "?"))")
        }
    }

    /// Pillow's GIF decoder skips an early end code when more than 64 KB of the file is left to read, and decodes the
    /// codes after it (checked with Pillow 13: white, black, white, black); with less left it reports truncation.
    @Test("An early end code is skipped only when Pillow would read on")
    func earlyEndCodeFollowedBy64KB() throws {
        // 4×1, palette black and white, LZW (2-bit): clear, 1, end, 0, 1, 0 in one sub-block.
        let image = Self.bytes("47494638396104000100800000000000ffffff2c00000000040001000002034c110000")
        let padding = Self.bytes("21fe") + [[UInt8]](repeating: [0xFF] + [UInt8](repeating: 0, count: 255), count: 270).joined() + [0]
        let decoded = try ImageDecoder.decode(data: Data(image + padding + [0x3B]), source: "padded")
        #expect(decoded.pixels == [255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0])
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(data: Data(image + [0x3B]), source: "short") }
        guard case .truncatedData("short", .gif, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
    }

    @Test("Damaged GIF, WebP, BMP and TIFF data never crash: every prefix and seeded byte flips decode or throw ImageError",
          arguments: ["formats/global_palette.gif", "formats/lzw_table_full.gif", "formats/lossy_alpha.webp", "formats/animated.webp",
                      "formats/bmp_rle4.bmp", "formats/bmp_bgra_bitfields_v5.bmp", "formats/tiff_rgb_lzw_predictor.tif",
                      "formats/tiff_rgb_tiles_deflate_predictor.tif", "formats/tiff_palette2.tif"])
    func damagedDataNeverCrashes(name: String) throws {
        let original = try [UInt8](Data(contentsOf: Fixtures.image(name)))
        var variants = (0..<original.count).map { Array(original[..<$0]) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<300 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var flipped = original
            flipped[Int(state >> 33) % original.count] ^= UInt8(truncatingIfNeeded: state >> 20) | 1
            variants.append(flipped)
        }
        for variant in variants {
            do {
                _ = try ImageDecoder.decode(data: Data(variant), source: name)
            } catch is ImageError {
            } catch {
                Issue.record("\(name): \(error) is not an ImageError")
            }
        }
    }

    @Test("Pixel values of a WebP, a GIF, a BMP, a TIFF and a turned JPEG are bit-identical to transformers'",
          arguments: try ImageFormatGolden.load().images.filter { $0.pixelValues != nil }.map(\.name))
    func preprocessedPixelValues(name: String) throws {
        let golden = try ImageFormatGolden.image(named: name)
        let configuration = try #require(try PreprocessGolden.load().configs["git-base"])
        var cases = [(ImageOrientation.ignoreEXIF, golden.pixelValues)]
        if let transposed = golden.exifTransposed { cases.append((.applyEXIF, transposed.pixelValues)) }
        for (orientation, goldenValues) in cases {
            let expected = try #require(goldenValues?["git-base"])
            let image = try ImageDecoder.decode(contentsOf: Fixtures.image(name), orientation: orientation)
            let values = try CLIPImageProcessor(configuration: configuration).preprocess(image)
            #expect(values.shape == expected.shape)
            #expect(values.sha256 == expected.sha256, "\(name) \(orientation)")
        }
    }

    @Test("The format comes from the signature, not the name")
    func formatFromSignature() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, misnamed, format) in [("formats/interlaced.gif", "really-a-gif.png", ImageFormat.gif),
                                         ("formats/lossless.webp", "really-a-webp.jpg", .webp),
                                         ("formats/bmp_rle8.bmp", "really-a-bmp.gif", .bmp),
                                         ("formats/tiff_bigtiff.tif", "really-a-tiff", .tiff)] {
            let data = try Data(contentsOf: Fixtures.image(name))
            try data.write(to: directory.appendingPathComponent(misnamed))
            let image = try ImageDecoder.decode(contentsOf: directory.appendingPathComponent(misnamed))
            #expect(SHA256.hexDigest(image.pixels) == (try ImageFormatGolden.image(named: name)).rgbSha256)
            #expect(try ImageDecoder.decoder(for: data, source: misnamed).format == format)
        }
    }

    @Test("An unknown format's message lists the formats read")
    func unknownFormatMessage() {
        let error = ImageError.unknownFormat(source: "notes.txt", leadingBytes: "54 68")
        #expect(error.description == "notes.txt: not a JPEG, PNG, GIF, WebP, BMP or TIFF image (it starts with 54 68)")
    }

    @Test("A TIFF is turned upright from its Orientation tag whatever is asked, as Pillow turns it when it loads it")
    func tiffOrientationAlwaysApplied() throws {
        let name = "formats/tiff_orientation_6.tif"
        let golden = try ImageFormatGolden.image(named: name)
        #expect(golden.width == 14 && golden.height == 25)  // stored 25×14
        for orientation in [ImageOrientation.ignoreEXIF, .applyEXIF] {
            let image = try ImageDecoder.decode(contentsOf: Fixtures.image(name), orientation: orientation)
            #expect(image.width == 14 && image.height == 25 && SHA256.hexDigest(image.pixels) == golden.rgbSha256)
        }
    }

    @Test("BMP header fields out of Pillow's range are refused by name, before any pixel is read", arguments: [
        (28, [7, 0], "a bit count of 7"),  // biBitCount
        (14, [20, 0, 0, 0], "an info header of 20 bytes"),  // biSize
        (30, [4, 0, 0, 0], "compression 4 (JPEG)"),  // biCompression
        (18, [0, 0, 0, 0], "declares 0×"),  // biWidth
    ])
    func bmpHeaderFieldsRefused(offset: Int, bytes: [UInt8], mentions: String) throws {
        let original = try [UInt8](Data(contentsOf: Fixtures.image("formats/bmp_rgb24.bmp")))
        var data = original
        data.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(data: Data(data), source: "fields.bmp") }
        #expect(error.description.hasPrefix("fields.bmp: ") && error.description.contains(mentions), "\(error)")
        // The same field cut off by the end of the file.
        let cut = try #require(throws: ImageError.self) {
            try ImageDecoder.decode(data: Data(original.prefix(offset + 1)), source: "cut.bmp")
        }
        guard case .truncatedData("cut.bmp", .bmp, _) = cut else {
            Issue.record("unexpected \(cut)")
            return
        }
    }

    /// Found by the `bmp` fuzz target (`Fuzz/Corpus/bmp/overflowing_size.bmp`): the message multiplied the sides past
    /// `Int.max`.
    @Test("A BMP declaring 4294967270×4194303985 pixels is refused without overflowing its message")
    func sizeBeyondIntMax() throws {
        var header = [UInt8]("BM".utf8) + [UInt8](repeating: 0, count: 52)
        for (offset, value) in [(14, 40), (18, 4_294_967_270), (22, 4_194_303_985), (26, 1), (28, 24)] {
            for byte in 0..<4 { header[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
        }
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(data: Data(header), source: "huge.bmp") }
        #expect(error == .tooManyPixels(source: "huge.bmp", width: 4_294_967_270, height: 4_194_303_985, limit: 178_956_970))
        #expect(error.description == "huge.bmp: 4294967270×4194303985 pixels exceeds the limit of 178956970 pixels")
    }

    @Test("TIFF variants Pillow reads but this decoder does not are refused by name")
    func tiffUnsupportedVariants() throws {
        let data = try [UInt8](Data(contentsOf: Fixtures.image("formats/tiff_rgb_packbits.tif")))
        // The Compression entry (tag 259, SHORT, one value: PackBits) made JPEG (7).
        let packBits: [UInt8] = [0x03, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x80]
        let entry = try #require((0...(data.count - packBits.count)).first { Array(data[$0..<$0 + packBits.count]) == packBits })
        var jpeg = data
        jpeg[entry + 8] = 7
        jpeg[entry + 9] = 0
        #expect(throws: ImageError.unsupportedVariant(
            source: "jpeg.tif", format: .tiff, variant: "compression 7 (read: none, LZW, Deflate, PackBits and CCITT)")) {
            try ImageDecoder.decode(data: Data(jpeg), source: "jpeg.tif")
        }
    }

    private static func bytes(_ hex: String) -> [UInt8] {
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
