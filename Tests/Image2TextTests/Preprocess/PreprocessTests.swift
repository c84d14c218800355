import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// Pixel values against transformers 5.23 `CLIPImageProcessorPil` and resizes against Pillow 13
/// (goldens: `tools/reference/make_preprocess_goldens.py`).
@Suite struct PreprocessTests {
    @Test("Pixel values are bit-identical to transformers'", arguments: try PreprocessGolden.load().images.map(\.name), try PreprocessGolden.load().configs.keys.sorted())
    func pixelValuesMatchTransformers(name: String, config: String) throws {
        let image = try PreprocessGolden.image(named: name)
        let expected = try #require(image.pixelValues[config])
        let rgb = try PreprocessGolden.referenceRGB(for: image)
        try #require(SHA256.hexDigest(rgb.pixels) == image.rgbSha256, "the processor must see Pillow's RGB")
        let configuration = try #require(try PreprocessGolden.load().configs[config])

        let values = try CLIPImageProcessor(configuration: configuration).preprocess(rgb)
        #expect(values.shape == expected.shape)
        for sample in expected.samples {
            let (channel, row, column) = (sample.index[0], sample.index[1], sample.index[2])
            let actual = values.values[(channel * values.height + row) * values.width + column]
            #expect(actual.bitPattern == sample.value.bitPattern, "\(name) \(config) at \(sample.index): \(actual) vs \(sample.value)")
        }
        #expect(values.sha256 == expected.sha256)
    }

    @Test("Resizing equals Pillow's Image.resize for every filter", arguments: try PreprocessGolden.load().resizes.indices)
    func resizeMatchesPillow(index: Int) throws {
        let resize = try PreprocessGolden.load().resizes[index]
        let image = try ImageDecoder.decode(contentsOf: Fixtures.image(resize.image))
        let filter = try #require(ResamplingFilter(rawValue: resize.filter))
        let resized = PillowResample.resize(image, width: resize.width, height: resize.height, filter: filter)
        #expect(resized.width == resize.width && resized.height == resize.height)
        #expect(SHA256.hexDigest(resized.pixels) == resize.sha256, "\(resize.image) → \(resize.width)×\(resize.height) \(filter)")
    }

    @Test("Resizing to the same size is a copy")
    func resizeToSameSizeIsCopy() throws {
        let image = try ImageDecoder.decode(contentsOf: Fixtures.image("odd_17x23.png"))
        for filter in ResamplingFilter.allCases {
            #expect(PillowResample.resize(image, width: 17, height: 23, filter: filter) == image)
        }
    }

    /// Expected sizes printed by transformers 5.23's `get_resize_output_image_size` / `get_size_with_aspect_ratio`.
    @Test("Output sizes follow transformers' arithmetic")
    func resizedSizes() {
        typealias Target = ImageProcessorConfiguration.ResizeTarget
        let cases: [(height: Int, width: Int, target: Target, expected: (Int, Int))] = [
            (427, 640, .shortestEdge(224), (224, 335)),
            (640, 427, .shortestEdge(224), (335, 224)),
            (23, 17, .shortestEdge(224), (303, 224)),
            (120, 1000, .shortestEdge(224), (224, 1866)),
            (333, 517, .shortestEdge(224), (224, 347)),
            (224, 224, .shortestEdge(224), (224, 224)),
            (300, 451, .shortestEdgeCapped(shortest: 96, longest: 128), (85, 128)),
            (700, 90, .shortestEdgeCapped(shortest: 96, longest: 128), (127, 16)),
            (110, 150, .shortestEdgeCapped(shortest: 96, longest: 128), (94, 127)),
            (250, 500, .shortestEdgeCapped(shortest: 100, longest: 150), (75, 150)),
            (1, 2, .shortestEdgeCapped(shortest: 3, longest: 5), (2, 5)),  // round(2.5) == 2
            (3, 6, .shortestEdgeCapped(shortest: 4, longest: 7), (4, 7)),  // round(3.5) == 4
            (6, 3, .shortestEdgeCapped(shortest: 4, longest: 7), (7, 4)),
            (1, 1000, .shortestEdgeCapped(shortest: 1, longest: 2), (0, 2)),
            (50, 60, .exact(height: 180, width: 200), (180, 200)),
        ]
        for (height, width, target, expected) in cases {
            let size = CLIPImageProcessor.resizedSize(height: height, width: width, target: target)
            #expect(size == expected, "\(height)×\(width) with \(target)")
        }
    }

    @Test("A size rule that gives an empty image throws")
    func emptyResizeThrows() throws {
        var configuration = ImageProcessorConfiguration.clipDefaults
        configuration.size = .shortestEdgeCapped(shortest: 1, longest: 2)
        let image = try #require(RGBImage(width: 1000, height: 1, pixels: [UInt8](repeating: 7, count: 3000)))
        #expect(throws: PreprocessError.emptyResize(imageWidth: 1000, imageHeight: 1, targetWidth: 2, targetHeight: 0)) {
            try CLIPImageProcessor(configuration: configuration).preprocess(image)
        }
    }

    // MARK: - Configuration files

    static let gitBaseKeys = """
        "crop_size": {"height": 224, "width": 224}, "do_center_crop": true, "do_convert_rgb": true,
        "do_normalize": true, "do_rescale": true, "do_resize": true,
        "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
        "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3,
        "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 224}
        """

    static var gitBase: ImageProcessorConfiguration {
        var configuration = ImageProcessorConfiguration.clipDefaults
        configuration.imageProcessorType = "CLIPImageProcessor"
        configuration.rescaleFactor = 0.00392156862745098
        return configuration
    }

    private func withFiles<T>(_ files: [String: String], _ body: (URL) throws -> T) throws -> T {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }
        return try body(directory)
    }

    @Test("Hub layout: preprocessor_config.json")
    func hubLayout() throws {
        let configuration = try withFiles(
            ["preprocessor_config.json": "{\(Self.gitBaseKeys), \"processor_class\": \"GitProcessor\"}"]
        ) { try ImageProcessorConfiguration.load(directory: $0) }
        #expect(configuration == Self.gitBase)
    }

    @Test("transformers 5.23 layout: processor_config.json with the settings under image_processor")
    func processorLayout() throws {
        let nested = "{\"image_processor\": {\(Self.gitBaseKeys)}, \"processor_class\": \"GitProcessor\"}"
        #expect(try withFiles(["processor_config.json": nested]) { try ImageProcessorConfiguration.load(directory: $0) }
            == Self.gitBase)
        // processor_config.json wins when both exist (transformers' priority) ...
        let both = try withFiles(["processor_config.json": nested, "preprocessor_config.json": "{\"resample\": 2}"]) {
            try ImageProcessorConfiguration.load(directory: $0)
        }
        #expect(both == Self.gitBase)
        // ... unless it has no image_processor object.
        let fallback = try withFiles([
            "processor_config.json": "{\"processor_class\": \"GitProcessor\"}",
            "preprocessor_config.json": "{\"resample\": 2}",
        ]) { try ImageProcessorConfiguration.load(directory: $0) }
        #expect(fallback.resample == .bilinear)
    }

    @Test("Missing keys take CLIPImageProcessor's defaults; short forms are expanded")
    func defaultsAndShortForms() throws {
        let url = URL(fileURLWithPath: "/virtual/preprocessor_config.json")
        func decode(_ json: String) throws -> ImageProcessorConfiguration {
            try JSONFile.decode(ImageProcessorConfiguration.self, from: Data(json.utf8), file: url)
        }
        #expect(try decode("{}") == .clipDefaults)
        #expect(try decode("{\"do_resize\": null, \"size\": null}") == .clipDefaults)
        let short = try decode("{\"size\": 256, \"crop_size\": 200, \"image_mean\": 0.5, \"image_std\": [0.1, 0.2, 0.3]}")
        #expect(short.size == .shortestEdge(256))
        #expect(short.cropSize == .init(height: 200, width: 200))
        #expect(short.imageMean == [0.5, 0.5, 0.5])
        #expect(short.imageStd == [0.1, 0.2, 0.3])
        #expect(try decode("{\"size\": [180, 200]}").size == .exact(height: 180, width: 200))
        #expect(try decode("{\"size\": {\"height\": 180, \"width\": 200}}").size == .exact(height: 180, width: 200))
        #expect(try decode("{\"size\": {\"shortest_edge\": 96, \"longest_edge\": 128}}").size
            == .shortestEdgeCapped(shortest: 96, longest: 128))
        #expect(try decode("{\"resample\": 0}").resample == .nearest)
    }

    @Test("Wrong keys are named in the error")
    func configurationErrors() throws {
        let url = URL(fileURLWithPath: "/virtual/preprocessor_config.json")
        func decode(_ json: String) throws {
            _ = try JSONFile.decode(ImageProcessorConfiguration.self, from: Data(json.utf8), file: url)
        }
        #expect(throws: ConfigurationError.wrongType(url, keyPath: "do_resize", expected: "a boolean")) {
            try decode("{\"do_resize\": \"yes\"}")
        }
        #expect(throws: ConfigurationError.wrongType(url, keyPath: "rescale_factor", expected: "a number")) {
            try decode("{\"rescale_factor\": \"1/255\"}")
        }
        for (json, key) in [
            ("{\"resample\": 7}", "resample"),
            ("{\"size\": {\"max_height\": 10, \"max_width\": 10}}", "size"),
            ("{\"size\": \"224\"}", "size"),
            ("{\"crop_size\": {\"shortest_edge\": 224}}", "crop_size"),
            ("{\"image_mean\": [0.5, 0.5]}", "image_mean"),
            ("{\"image_std\": \"CLIP\"}", "image_std"),
            ("{\"size\": {\"height\": 0, \"width\": 10}}", "size.height"),
        ] {
            let error = try #require(throws: ConfigurationError.self, "\(json)") { try decode(json) }
            guard case .invalidValue(url, key, _) = error else {
                Issue.record("\(json): expected an invalid value at '\(key)', got \(error)")
                continue
            }
            #expect(error.description.contains(url.path))
        }
        let nested = try withFiles(["processor_config.json": "{\"image_processor\": {\"image_mean\": \"x\"}}"]) { directory in
            try #require(throws: ConfigurationError.self) { try ImageProcessorConfiguration.load(directory: directory) }
        }
        guard case .invalidValue(_, "image_processor.image_mean", _) = nested else {
            Issue.record("unexpected \(nested)")
            return
        }
        let empty = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ConfigurationError.missingFile(empty.appendingPathComponent("preprocessor_config.json"))) {
            try ImageProcessorConfiguration.load(directory: empty)
        }
    }
}
