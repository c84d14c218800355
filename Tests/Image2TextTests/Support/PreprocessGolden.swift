import Foundation
@testable import Image2Text

/// `Fixtures/goldens/preprocess.json`, written by `tools/reference/make_preprocess_goldens.py` (Pillow 13.0.0,
/// transformers 5.23.0 `CLIPImageProcessorPil`).
struct PreprocessGolden: Decodable, Sendable {
    struct Image: Decodable, Sendable {
        var name: String
        var pillowMode: String
        var width: Int
        var height: Int
        var rgbSha256: String
        /// "decoder" when our decoder must reproduce Pillow's RGB exactly, else the path (under Fixtures/images) of
        /// Pillow's RGB stored as a plain 8-bit RGB PNG.
        var rgbReference: String
        var pixelValues: [String: PixelValuesGolden]

        enum CodingKeys: String, CodingKey {
            case name, width, height
            case pillowMode = "pillow_mode"
            case rgbSha256 = "rgb_sha256"
            case rgbReference = "rgb_reference"
            case pixelValues = "pixel_values"
        }
    }

    struct PixelValuesGolden: Decodable, Sendable {
        var shape: [Int]
        var sha256: String
        var samples: [Sample]
    }

    struct Sample: Decodable, Sendable {
        /// (channel, row, column)
        var index: [Int]
        var value: Float
    }

    struct Resize: Decodable, Sendable {
        var image: String
        var filter: Int
        var width: Int
        var height: Int
        var sha256: String
    }

    var configs: [String: ImageProcessorConfiguration]
    var images: [Image]
    var resizes: [Resize]

    static let url = Fixtures.golden("preprocess.json")

    /// Parsed once per test process.
    private static let parsed = Result { try JSONFile.decode(PreprocessGolden.self, from: url) }

    static func load() throws -> PreprocessGolden {
        try parsed.get()
    }

    static func image(named name: String) throws -> Image {
        guard let image = try load().images.first(where: { $0.name == name }) else {
            throw ConfigurationError.missingKey(url, keyPath: "images[\(name)]")
        }
        return image
    }

    /// The RGB bytes transformers feeds its processor for `image`: our decoder's output, or Pillow's stored RGB
    /// where our decoder cannot reproduce it.
    static func referenceRGB(for image: Image) throws -> RGBImage {
        let file = image.rgbReference == "decoder" ? image.name : image.rgbReference
        return try ImageDecoder.decode(contentsOf: Fixtures.image(file))
    }
}
