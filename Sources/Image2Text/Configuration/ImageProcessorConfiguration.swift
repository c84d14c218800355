import Foundation
import Image2TextSupport

/// The image-processor settings of a checkpoint: `preprocessor_config.json` (hub layout) or the `image_processor`
/// object of `processor_config.json` (what transformers 5.23 `save_pretrained` writes). Keys and defaults are those
/// of transformers' `CLIPImageProcessor`, or of `VideoMAEImageProcessor` when `image_processor_type` names it (the two
/// share every step; only their defaults differ); a key that is missing or `null` takes the default.
public struct ImageProcessorConfiguration: Sendable, Equatable {
    /// How `size` sets the resized image's dimensions (transformers' `SizeDict` cases the PIL backend resizes with).
    public enum ResizeTarget: Sendable, Equatable {
        /// `{"shortest_edge": n}` or a bare integer: the short side becomes `n`, the aspect ratio is kept.
        case shortestEdge(Int)
        /// `{"shortest_edge": n, "longest_edge": m}`: as `shortestEdge`, unless the long side would exceed `m`.
        case shortestEdgeCapped(shortest: Int, longest: Int)
        /// `{"height": h, "width": w}` or `[h, w]`: exactly this size.
        case exact(height: Int, width: Int)
    }

    /// Height and width in pixels.
    public struct Size: Sendable, Equatable {
        public var height: Int
        public var width: Int

        public init(height: Int, width: Int) {
            self.height = height
            self.width = width
        }
    }

    public var doConvertRGB: Bool
    public var doResize: Bool
    public var size: ResizeTarget
    public var resample: ResamplingFilter
    public var doCenterCrop: Bool
    public var cropSize: Size
    public var doRescale: Bool
    public var rescaleFactor: Double
    public var doNormalize: Bool
    /// One value per RGB channel (a single number in the file is repeated).
    public var imageMean: [Double]
    public var imageStd: [Double]
    /// `image_processor_type` as written in the file, if any.
    public var imageProcessorType: String?

    /// Largest size in pixels that `size` and `crop_size` may give, or ``resized(toShortestEdge:crop:)`` ask for: a
    /// 2048 × 2048 crop is already 50 MB of pixel values (GIT's checkpoints use 224 to 480).
    public static let maximumSide = 2048

    /// transformers' `CLIPImageProcessor` defaults (OpenAI CLIP statistics, 224, bicubic).
    public static let clipDefaults = ImageProcessorConfiguration(
        doConvertRGB: true, doResize: true, size: .shortestEdge(224), resample: .bicubic, doCenterCrop: true,
        cropSize: Size(height: 224, width: 224), doRescale: true, rescaleFactor: 1.0 / 255.0, doNormalize: true,
        imageMean: [0.48145466, 0.4578275, 0.40821073], imageStd: [0.26862954, 0.26130258, 0.27577711],
        imageProcessorType: nil)

    /// transformers' `VideoMAEImageProcessor` defaults, which the video checkpoints (git-base-vatex, -msrvtt-qa) name:
    /// ImageNet-standard statistics (0.5), 224, bilinear.
    public static let videoMAEDefaults = ImageProcessorConfiguration(
        doConvertRGB: true, doResize: true, size: .shortestEdge(224), resample: .bilinear, doCenterCrop: true,
        cropSize: Size(height: 224, width: 224), doRescale: true, rescaleFactor: 1.0 / 255.0, doNormalize: true,
        imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5], imageProcessorType: "VideoMAEImageProcessor")

    public init(
        doConvertRGB: Bool, doResize: Bool, size: ResizeTarget, resample: ResamplingFilter, doCenterCrop: Bool,
        cropSize: Size, doRescale: Bool, rescaleFactor: Double, doNormalize: Bool, imageMean: [Double],
        imageStd: [Double], imageProcessorType: String?
    ) {
        self.doConvertRGB = doConvertRGB
        self.doResize = doResize
        self.size = size
        self.resample = resample
        self.doCenterCrop = doCenterCrop
        self.cropSize = cropSize
        self.doRescale = doRescale
        self.rescaleFactor = rescaleFactor
        self.doNormalize = doNormalize
        self.imageMean = imageMean
        self.imageStd = imageStd
        self.imageProcessorType = imageProcessorType
    }

    /// Reads the processor settings of a checkpoint folder in transformers 5.23's order: the `image_processor` object
    /// of `processor_config.json` if there is one, else `preprocessor_config.json`.
    public static func load(directory: URL) throws -> ImageProcessorConfiguration {
        let processorFile = directory.appendingPathComponent(CheckpointFileNames.processorConfiguration)
        let preprocessorFile = directory.appendingPathComponent(CheckpointFileNames.preprocessorConfiguration)
        if FileManager.default.fileExists(atPath: processorFile.path) {
            let processor = try JSONFile.decode(ProcessorFile.self, from: processorFile)
            if let configuration = processor.imageProcessor { return configuration }
        }
        if FileManager.default.fileExists(atPath: preprocessorFile.path) {
            return try JSONFile.decode(ImageProcessorConfiguration.self, from: preprocessorFile)
        }
        throw ConfigurationError.missingFile(preprocessorFile)
    }

    /// `processor_config.json`: the image-processor settings are nested under `image_processor`.
    private struct ProcessorFile: Decodable {
        var imageProcessor: ImageProcessorConfiguration?

        enum CodingKeys: String, CodingKey {
            case imageProcessor = "image_processor"
        }
    }
}

extension ImageProcessorConfiguration: Decodable {
    enum CodingKeys: String, CodingKey {
        case doConvertRGB = "do_convert_rgb"
        case doResize = "do_resize"
        case size
        case resample
        case doCenterCrop = "do_center_crop"
        case cropSize = "crop_size"
        case doRescale = "do_rescale"
        case rescaleFactor = "rescale_factor"
        case doNormalize = "do_normalize"
        case imageMean = "image_mean"
        case imageStd = "image_std"
        case imageProcessorType = "image_processor_type"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        imageProcessorType = try container.decodeIfPresent(String.self, forKey: .imageProcessorType)
        // Keys left out take the defaults of the processor class the file names.
        let defaults = imageProcessorType?.hasPrefix("VideoMAE") == true ? Self.videoMAEDefaults : Self.clipDefaults
        func flag(_ key: CodingKeys, _ fallback: Bool) throws -> Bool {
            try container.decodeIfPresent(Bool.self, forKey: key) ?? fallback
        }
        doConvertRGB = try flag(.doConvertRGB, defaults.doConvertRGB)
        doResize = try flag(.doResize, defaults.doResize)
        doCenterCrop = try flag(.doCenterCrop, defaults.doCenterCrop)
        doRescale = try flag(.doRescale, defaults.doRescale)
        doNormalize = try flag(.doNormalize, defaults.doNormalize)
        rescaleFactor = try container.decodeIfPresent(Double.self, forKey: .rescaleFactor) ?? defaults.rescaleFactor

        if let code = try container.decodeIfPresent(Int.self, forKey: .resample) {
            guard let filter = ResamplingFilter(rawValue: code) else {
                throw Self.invalid(.resample, in: container, "\(code) is not a supported filter (0–5: NEAREST, LANCZOS, "
                    + "BILINEAR, BICUBIC, BOX, HAMMING; Pillow's MKS2013/MKS2021 are not ported)")
            }
            resample = filter
        } else {
            resample = defaults.resample
        }

        // Each size with the key it was given under inside `size` or `crop_size` (nil for a bare number or a list).
        var sizeSides = [(key: String?, value: Int)](), cropSides = [(key: String?, value: Int)]()
        switch try Self.decodeSize(.size, in: container) {
        case nil: size = defaults.size
        case .integer(let edge):
            size = .shortestEdge(edge)  // CLIP's `default_to_square = False`
            sizeSides = [(nil, edge)]
        case .pair(let height, let width):
            size = .exact(height: height, width: width)
            sizeSides = [(nil, height), (nil, width)]
        case .dictionary(let keys):
            switch (keys["shortest_edge"], keys["longest_edge"], keys["height"], keys["width"]) {
            case (let shortest?, let longest?, _, _):
                size = .shortestEdgeCapped(shortest: shortest, longest: longest)
                sizeSides = [("shortest_edge", shortest), ("longest_edge", longest)]
            case (let shortest?, nil, _, _):
                size = .shortestEdge(shortest)
                sizeSides = [("shortest_edge", shortest)]
            case (nil, _, let height?, let width?):
                size = .exact(height: height, width: width)
                sizeSides = [("height", height), ("width", width)]
            default:
                throw Self.invalid(.size, in: container, "needs 'shortest_edge' (optionally with 'longest_edge') or "
                    + "'height' and 'width', found keys \(keys.keys.sorted())")
            }
        }

        switch try Self.decodeSize(.cropSize, in: container) {
        case nil: cropSize = defaults.cropSize
        case .integer(let edge):
            cropSize = Size(height: edge, width: edge)
            cropSides = [(nil, edge)]
        case .pair(let height, let width):
            cropSize = Size(height: height, width: width)
            cropSides = [(nil, height), (nil, width)]
        case .dictionary(let keys):
            guard let height = keys["height"], let width = keys["width"] else {
                throw Self.invalid(.cropSize, in: container, "needs 'height' and 'width', found keys \(keys.keys.sorted())")
            }
            cropSize = Size(height: height, width: width)
            cropSides = [("height", height), ("width", width)]
        }

        imageMean = try Self.decodeStatistic(.imageMean, in: container) ?? defaults.imageMean
        imageStd = try Self.decodeStatistic(.imageStd, in: container) ?? defaults.imageStd

        for (key, sides, used) in [(CodingKeys.size, sizeSides, doResize), (.cropSize, cropSides, doCenterCrop)] where used {
            for side in sides where !(1...Self.maximumSide).contains(side.value) {
                throw DecodingError.dataCorrupted(DecodingError.Context(
                    codingPath: container.codingPath + [key] + (side.key.map { [NestedKey(stringValue: $0)] } ?? []),
                    debugDescription: "sizes must be between 1 and \(Self.maximumSide), found \(side.value)"))
            }
        }
        if doRescale, !(rescaleFactor.isFinite && rescaleFactor > 0) {
            throw Self.invalid(.rescaleFactor, in: container, "must be a positive number, found \(rescaleFactor)")
        }
        for (key, values) in [(CodingKeys.imageMean, imageMean), (.imageStd, imageStd)] where doNormalize {
            if let bad = values.first(where: { !$0.isFinite }) { throw Self.invalid(key, in: container, "must be finite, found \(bad)") }
        }
        if doNormalize, imageStd.contains(0) {
            throw Self.invalid(.imageStd, in: container, "a standard deviation of 0 divides by zero")
        }
    }

    /// A key inside `size` or `crop_size`, for error paths.
    private struct NestedKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// `size` and `crop_size` as transformers' `get_size_dict` accepts them.
    private enum SizeValue {
        case integer(Int)
        case pair(height: Int, width: Int)
        case dictionary([String: Int])
    }

    private static func decodeSize(_ key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>) throws -> SizeValue? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        if let edge = try? container.decode(Int.self, forKey: key) { return .integer(edge) }
        if let pair = try? container.decode([Int].self, forKey: key) {
            guard pair.count == 2 else { throw invalid(key, in: container, "a list must be [height, width]") }
            return .pair(height: pair[0], width: pair[1])
        }
        // Keys transformers does not use for resizing (e.g. `max_height`) may be null.
        if let keys = try? container.decode([String: Int?].self, forKey: key) {
            return .dictionary(keys.compactMapValues { $0 })
        }
        throw invalid(key, in: container, "should be an integer, [height, width] or an object of integers")
    }

    /// `image_mean` / `image_std`: three numbers, or one number used for every channel.
    private static func decodeStatistic(_ key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>) throws
        -> [Double]?
    {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        if let value = try? container.decode(Double.self, forKey: key) { return [value, value, value] }
        guard let values = try? container.decode([Double].self, forKey: key) else {
            throw invalid(key, in: container, "should be a number or a list of 3 numbers")
        }
        guard values.count == 3 else { throw invalid(key, in: container, "needs 3 values (RGB), found \(values.count)") }
        return values
    }

    private static func invalid(_ key: CodingKeys, in container: KeyedDecodingContainer<CodingKeys>, _ reason: String)
        -> DecodingError
    {
        .dataCorrupted(DecodingError.Context(codingPath: container.codingPath + [key], debugDescription: reason))
    }
}
