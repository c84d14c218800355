import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// Decoding against Pillow 13 + transformers' `convert_to_rgb` (goldens: `tools/reference/make_preprocess_goldens.py`).
@Suite struct MediaTests {
    @Test("Decoded RGB equals Pillow's byte for byte", arguments: try PreprocessGolden.load().images.filter { $0.rgbReference == "decoder" }.map(\.name))
    func decodedRGBEqualsPillow(name: String) throws {
        let golden = try PreprocessGolden.image(named: name)
        let image = try ImageDecoder.decode(contentsOf: Fixtures.image(name))
        #expect(image.width == golden.width)
        #expect(image.height == golden.height)
        #expect(SHA256.hexDigest(image.pixels) == golden.rgbSha256, "\(name) (Pillow mode \(golden.pillowMode))")
    }

    /// 16-bit gray+alpha and RGBA: libpng premultiplies 16-bit colour by alpha, so the high byte Pillow keeps is
    /// recovered by division and can be one level off (rgba16.png: 14 of 26,400 samples; la16.png: none).
    @Test("16-bit PNG with alpha is within one level of Pillow", arguments: try PreprocessGolden.load().images.filter { $0.rgbReference != "decoder" }.map(\.name))
    func sixteenBitAlphaIsWithinOneLevel(name: String) throws {
        let golden = try PreprocessGolden.image(named: name)
        let pillow = try PreprocessGolden.referenceRGB(for: golden)
        #expect(SHA256.hexDigest(pillow.pixels) == golden.rgbSha256, "stored Pillow RGB of \(name)")
        let image = try ImageDecoder.decode(contentsOf: Fixtures.image(name))
        #expect(image.width == pillow.width && image.height == pillow.height)
        let differences = zip(image.pixels, pillow.pixels).map { abs(Int($0) - Int($1)) }
        #expect(differences.max() ?? 0 <= 1)
        #expect(differences.filter { $0 != 0 }.count <= image.pixels.count / 1000)
    }

    @Test("Compositing on white: transparent gives white, opaque keeps the colour")
    func compositeOnWhiteEndpoints() {
        for value in UInt8.min...UInt8.max {
            #expect(PillowConversion.compositeOnWhite(value, alpha: 255) == value)
            #expect(PillowConversion.compositeOnWhite(value, alpha: 0) == 255)
        }
        // Pillow: Image.alpha_composite(white, (100, 0, 200, 128)) → (177, 127, 227).
        #expect(PillowConversion.compositeOnWhite(100, alpha: 128) == 177)
        #expect(PillowConversion.compositeOnWhite(0, alpha: 128) == 127)
        #expect(PillowConversion.compositeOnWhite(200, alpha: 128) == 227)
    }

    @Test(
        "Bad inputs give the right typed error naming the file",
        arguments: ["empty.jpg", "text.jpg", "huge_100000x100000.png", "truncated.jpg", "truncated.png", "corrupt.jpg",
                    "bad_crc.png", "bad_idat.png"])
    func badInputGivesTypedError(file: String) throws {
        let url = Fixtures.images.appendingPathComponent("bad").appendingPathComponent(file)
        let path = url.path
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(contentsOf: url) }
        #expect(error.description.hasPrefix(path + ": "))
        switch (file, error) {
        case ("empty.jpg", .emptyFile(path)): break
        case ("text.jpg", .unknownFormat(path, "54 68 69 73 20 69 73 20")): break
        case ("huge_100000x100000.png", .tooManyPixels(path, 100_000, 100_000, 178_956_970)): break
        case ("truncated.jpg", .truncatedData(path, .jpeg, let reason)): #expect(reason.contains("Premature end"))
        case ("truncated.png", .truncatedData(path, .png, _)): break
        case ("corrupt.jpg", .corruptData(path, .jpeg, _)): break
        case ("bad_crc.png", .corruptData(path, .png, _)), ("bad_idat.png", .corruptData(path, .png, _)): break
        default: Issue.record("\(file): unexpected error \(error)")
        }
    }

    @Test("Missing files and directories are named")
    func missingFileAndDirectory() throws {
        let missing = Fixtures.images.appendingPathComponent("no-such-image.jpg")
        #expect(throws: ImageError.fileNotFound(source: missing.path)) { try ImageDecoder.decode(contentsOf: missing) }
        let error = try #require(throws: ImageError.self) { try ImageDecoder.decode(contentsOf: Fixtures.images) }
        guard case .unreadableFile(Fixtures.images.path, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
    }

    @Test("The pixel limit is checked from the header, before decoding")
    func pixelLimitFromHeader() throws {
        let huge = Fixtures.images.appendingPathComponent("bad/huge_100000x100000.png")
        // 69 bytes whose pixels would need 30 GB: only the header was read.
        let data = try Data(contentsOf: huge)
        #expect(data.count < 100)
        #expect(try PNGDecoder().dimensions(of: data, source: huge.path) == (100_000, 100_000))

        let rocket = Fixtures.image("rocket.jpg")
        let exact = ImageLimits(maximumPixels: 640 * 427)
        #expect(try ImageDecoder.decode(contentsOf: rocket, limits: exact).width == 640)
        #expect(throws: ImageError.tooManyPixels(source: rocket.path, width: 640, height: 427, limit: 640 * 427 - 1)) {
            try ImageDecoder.decode(contentsOf: rocket, limits: ImageLimits(maximumPixels: 640 * 427 - 1))
        }
    }

    @Test("The format comes from the magic bytes, not the name")
    func formatFromMagicBytes() throws {
        let png = try Data(contentsOf: Fixtures.image("odd_17x23.png"))
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let misnamed = directory.appendingPathComponent("really-a-png.jpg")
        try png.write(to: misnamed)
        let image = try ImageDecoder.decode(contentsOf: misnamed)
        #expect(image == (try ImageDecoder.decode(data: png, source: "odd_17x23.png")))
        #expect(try ImageDecoder.decoder(for: png, source: "memory").format == .png)
    }
}
