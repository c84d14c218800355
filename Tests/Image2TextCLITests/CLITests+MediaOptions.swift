import Foundation
import Testing

/// `--exif-orientation` and `--max-pixels` (MediaOptions) and the WebP/GIF/BMP/TIFF decoders through `image2text preprocess`; sha256 values from
/// `Fixtures/goldens/image_formats.json` (git-base processor settings, which the PRNG checkpoint's are).
extension CLITests {
    @Test("preprocess reads GIF, WebP, BMP and TIFF, and turns images upright only with --exif-orientation", arguments: [
        (["Fixtures/images/formats/interlaced.gif"], "813dc4b637309af7c26ce8f119693c46fc537e670fbdb8a2731ee24512911108"),
        (["Fixtures/images/formats/lossless_alpha.webp"], "988837fa2283bc9ee27732e5b431de24e0a1fd54b7e5ef63c47e50d9eb1f9c33"),
        (["Fixtures/images/formats/bmp_rle8.bmp"], "de6240ab54f4c04c046b51c5085e3ba49847b3914ae1fd242671a8abd7b34048"),
        (["Fixtures/images/formats/tiff_rgba_deflate.tif"], "2aa4eddd652414183c3b888c353ed8f4d8c51d50e3e7c98098dd96f030b0ce08"),
        (["Fixtures/images/exif/orientation_6.jpg"], "58d8825f558ee7f542a4a21d12b40df6e5651bcd6e9e2e32d3eb1c41286eb189"),
        (["--exif-orientation", "Fixtures/images/exif/orientation_6.jpg"], "7a771d2b01e997f99e7eda0f68e58a8ecaaf855480e88b7ad6b43b09fcc2a2c4"),
    ])
    func preprocessMediaFormats(arguments: [String], sha256: String) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try run(["preprocess", "--model", "Fixtures/prng-checkpoint", "--output", output.path] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("shape [3, 224, 224] sha256 \(sha256)"))
    }

    @Test("preprocess --help says that transformers ignores EXIF orientation")
    func exifOrientationHelp() throws {
        let result = try run(["preprocess", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--exif-orientation"))
        #expect(result.stdout.contains("transformers ignores EXIF orientation"))
    }

    @Test("--max-pixels N refuses larger images before decoding them, per input; N < 1 is a usage error")
    func maxPixels() throws {
        let limited = try run(["caption", "--max-pixels", "4095", "Fixtures/easyvqa/0.png", "Fixtures/images/tiny_1x1.png"])
        #expect(limited.status == 1)
        #expect(limited.stderr == "Error: Fixtures/easyvqa/0.png: 64×64 = 4096 pixels exceeds the limit of 4095 pixels\n")
        #expect(limited.stdout.hasPrefix("Fixtures/images/tiny_1x1.png: "))
        #expect(try run(["caption", "--max-pixels", "4096", "Fixtures/easyvqa/0.png"]).stdout == "a red triangle\n")
        #expect(try run(["preprocess", "--max-pixels", "0", "--model", "Fixtures/prng-checkpoint", "--output", "/tmp/never.npy",
                         "Fixtures/easyvqa/0.png"]).status == 64)
    }
}
