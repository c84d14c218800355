import Foundation
@testable import Image2Text

/// `Fixtures/goldens/image_formats.json`, written by `tools/reference/make_media_format_fixtures.py` with Pillow 13.
struct ImageFormatGolden: Decodable, Sendable {
    struct RGB: Decodable, Sendable {
        var width: Int
        var height: Int
        var rgbSha256: String
        var pixelValues: [String: PreprocessGolden.PixelValuesGolden]?

        enum CodingKeys: String, CodingKey {
            case width, height
            case rgbSha256 = "rgb_sha256"
            case pixelValues = "pixel_values"
        }
    }

    struct Image: Decodable, Sendable {
        /// Path under `Fixtures/images`.
        var name: String
        var format: String
        var pillowMode: String
        var frames: Int
        var width: Int
        var height: Int
        var rgbSha256: String
        var exifOrientation: Int?
        /// After `ImageOps.exif_transpose`.
        var exifTransposed: RGB?
        var pixelValues: [String: PreprocessGolden.PixelValuesGolden]?

        enum CodingKeys: String, CodingKey {
            case name, format, frames, width, height
            case pillowMode = "pillow_mode"
            case rgbSha256 = "rgb_sha256"
            case exifOrientation = "exif_orientation"
            case exifTransposed = "exif_transposed"
            case pixelValues = "pixel_values"
        }
    }

    struct BadInput: Decodable, Sendable {
        var name: String
        var pillowError: String

        enum CodingKeys: String, CodingKey {
            case name
            case pillowError = "pillow_error"
        }
    }

    var images: [Image]
    var bad: [BadInput]

    static let url = Fixtures.golden("image_formats.json")

    /// Parsed once per test process.
    private static let parsed = Result { try JSONFile.decode(ImageFormatGolden.self, from: url) }

    static func load() throws -> ImageFormatGolden {
        try parsed.get()
    }

    static func image(named name: String) throws -> Image {
        guard let image = try load().images.first(where: { $0.name == name }) else {
            throw ConfigurationError.missingKey(url, keyPath: "images[\(name)]")
        }
        return image
    }
}
