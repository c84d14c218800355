import Foundation

/// `config.json` of a GIT checkpoint (transformers `GitConfig`). Keys mirror the JSON; a missing key
/// takes transformers 5.23's default, so hub files that store only non-default vision keys load as they do there.
public struct GitConfig: Sendable, Equatable, Decodable {
    private let _vocabSize: Int?
    private let _hiddenSize: Int?
    private let _numHiddenLayers: Int?
    private let _numAttentionHeads: Int?
    private let _intermediateSize: Int?
    private let _hiddenAct: String?
    private let _maxPositionEmbeddings: Int?
    private let _layerNormEps: Double?
    private let _padTokenId: Int?
    private let _bosTokenId: Int?
    private let _eosTokenId: TokenIdList?
    private let _tieWordEmbeddings: Bool?
    /// Number of video frames with a temporal embedding; nil for image models.
    public let numImageWithEmbedding: Int?
    /// `torch_dtype` (hub files) or `dtype` (files written by transformers 5.x).
    public let dtype: String?
    public let modelType: String?
    public let architectures: [String]?
    private let _visionConfig: GitVisionConfig?

    public var vocabSize: Int { _vocabSize ?? 30522 }
    public var hiddenSize: Int { _hiddenSize ?? 768 }
    public var numHiddenLayers: Int { _numHiddenLayers ?? 6 }
    public var numAttentionHeads: Int { _numAttentionHeads ?? 12 }
    public var intermediateSize: Int { _intermediateSize ?? 3072 }
    public var hiddenAct: String { _hiddenAct ?? "gelu" }
    public var maxPositionEmbeddings: Int { _maxPositionEmbeddings ?? 1024 }
    public var layerNormEps: Double { _layerNormEps ?? 1e-12 }
    public var padTokenId: Int { _padTokenId ?? 0 }
    public var bosTokenId: Int { _bosTokenId ?? 101 }
    /// End-of-sequence ids (transformers accepts one id or a list).
    public var eosTokenIds: [Int] { _eosTokenId?.ids ?? [102] }
    public var tieWordEmbeddings: Bool { _tieWordEmbeddings ?? false }
    public var visionConfig: GitVisionConfig { _visionConfig ?? GitVisionConfig() }
    public var headDimension: Int { hiddenSize / numAttentionHeads }

    enum CodingKeys: String, CodingKey {
        case _vocabSize = "vocab_size"
        case _hiddenSize = "hidden_size"
        case _numHiddenLayers = "num_hidden_layers"
        case _numAttentionHeads = "num_attention_heads"
        case _intermediateSize = "intermediate_size"
        case _hiddenAct = "hidden_act"
        case _maxPositionEmbeddings = "max_position_embeddings"
        case _layerNormEps = "layer_norm_eps"
        case _padTokenId = "pad_token_id"
        case _bosTokenId = "bos_token_id"
        case _eosTokenId = "eos_token_id"
        case _tieWordEmbeddings = "tie_word_embeddings"
        case numImageWithEmbedding = "num_image_with_embedding"
        case modelType = "model_type"
        case architectures
        case _visionConfig = "vision_config"
        case torchDType = "torch_dtype"
        case dtype
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        _vocabSize = try container.decodeIntegerIfPresent(forKey: ._vocabSize)
        _hiddenSize = try container.decodeIntegerIfPresent(forKey: ._hiddenSize)
        _numHiddenLayers = try container.decodeIntegerIfPresent(forKey: ._numHiddenLayers)
        _numAttentionHeads = try container.decodeIntegerIfPresent(forKey: ._numAttentionHeads)
        _intermediateSize = try container.decodeIntegerIfPresent(forKey: ._intermediateSize)
        _hiddenAct = try container.decodeIfPresent(String.self, forKey: ._hiddenAct)
        _maxPositionEmbeddings = try container.decodeIntegerIfPresent(forKey: ._maxPositionEmbeddings)
        _layerNormEps = try container.decodeIfPresent(Double.self, forKey: ._layerNormEps)
        _padTokenId = try container.decodeIntegerIfPresent(forKey: ._padTokenId)
        _bosTokenId = try container.decodeIntegerIfPresent(forKey: ._bosTokenId)
        _eosTokenId = try container.decodeIfPresent(TokenIdList.self, forKey: ._eosTokenId)
        _tieWordEmbeddings = try container.decodeIfPresent(Bool.self, forKey: ._tieWordEmbeddings)
        numImageWithEmbedding = try container.decodeIntegerIfPresent(forKey: .numImageWithEmbedding)
        modelType = try container.decodeIfPresent(String.self, forKey: .modelType)
        architectures = try container.decodeIfPresent([String].self, forKey: .architectures)
        _visionConfig = try container.decodeIfPresent(GitVisionConfig.self, forKey: ._visionConfig)
        dtype = try container.decodeIfPresent(String.self, forKey: .torchDType)
            ?? container.decodeIfPresent(String.self, forKey: .dtype)
    }

    /// Reads and validates `config.json`.
    public static func load(from url: URL) throws -> GitConfig {
        let config = try JSONFile.decode(GitConfig.self, from: url)
        try config.validate(file: url)
        return config
    }

    /// Bounds on the counts and sizes of `config.json`, far above every GIT checkpoint's (git-large: hidden size 1024,
    /// 24 vision layers, 30522 tokens, 1024 positions, 6 frames) and low enough that no product of them overflows.
    /// Counts of layers and frames are also checked against the weights (``GitTensorNames/checkCounts(of:against:file:)``)
    /// before anything is built per layer; sizes are checked against the tensors' shapes.
    static let maximumVocabularySize = 1 << 22
    static let maximumHiddenSize = 1 << 16
    static let maximumLayers = 1024
    static let maximumPositions = 1 << 20
    static let maximumFrames = 1024

    /// Rejects values the model cannot run with, naming the key.
    func validate(file url: URL) throws {
        func require(_ condition: Bool, _ key: String, _ reason: String) throws {
            if !condition { throw ConfigurationError.invalidValue(url, keyPath: key, reason: reason) }
        }
        if let modelType { try require(modelType == "git", "model_type", "expected \"git\", found \"\(modelType)\"") }
        for (key, value, maximum) in [
            ("vocab_size", vocabSize, Self.maximumVocabularySize), ("hidden_size", hiddenSize, Self.maximumHiddenSize),
            ("num_hidden_layers", numHiddenLayers, Self.maximumLayers), ("num_attention_heads", numAttentionHeads, hiddenSize),
            ("intermediate_size", intermediateSize, 4 * Self.maximumHiddenSize),
            ("max_position_embeddings", maxPositionEmbeddings, Self.maximumPositions),
            ("num_image_with_embedding", numImageWithEmbedding ?? 1, Self.maximumFrames),
        ] {
            try require((1...max(1, maximum)).contains(value), key, "must be between 1 and \(maximum), found \(value)")
        }
        try require(hiddenSize % numAttentionHeads == 0, "hidden_size",
                    "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        try require(layerNormEps > 0 && layerNormEps.isFinite, "layer_norm_eps", "must be positive")
        try require(Activation(rawValue: hiddenAct) != nil, "hidden_act",
                    "unsupported activation \"\(hiddenAct)\" (supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
        try require(!eosTokenIds.isEmpty, "eos_token_id", "the list is empty")
        for (key, id) in [("pad_token_id", padTokenId), ("bos_token_id", bosTokenId)] + eosTokenIds.map({ ("eos_token_id", $0) }) {
            try require((0..<vocabSize).contains(id), key, "id \(id) is outside the vocabulary of \(vocabSize)")
        }
        try visionConfig.validate(file: url)
    }
}

/// `vision_config` inside `config.json` (transformers `GitVisionConfig`: CLIP ViT-B/16 defaults).
public struct GitVisionConfig: Sendable, Equatable, Decodable {
    private let _hiddenSize: Int?
    private let _intermediateSize: Int?
    private let _numHiddenLayers: Int?
    private let _numAttentionHeads: Int?
    private let _numChannels: Int?
    private let _imageSize: Int?
    private let _patchSize: Int?
    private let _hiddenAct: String?
    private let _layerNormEps: Double?

    public var hiddenSize: Int { _hiddenSize ?? 768 }
    public var intermediateSize: Int { _intermediateSize ?? 3072 }
    public var numHiddenLayers: Int { _numHiddenLayers ?? 12 }
    public var numAttentionHeads: Int { _numAttentionHeads ?? 12 }
    public var numChannels: Int { _numChannels ?? 3 }
    public var imageSize: Int { _imageSize ?? 224 }
    public var patchSize: Int { _patchSize ?? 16 }
    public var hiddenAct: String { _hiddenAct ?? "quick_gelu" }
    public var layerNormEps: Double { _layerNormEps ?? 1e-5 }
    public var headDimension: Int { hiddenSize / numAttentionHeads }
    /// Patches per side of the image grid.
    public var patchesPerSide: Int { imageSize / patchSize }
    /// Image tokens per frame: the patches plus the class token.
    public var tokensPerImage: Int { patchesPerSide * patchesPerSide + 1 }

    enum CodingKeys: String, CodingKey {
        case _hiddenSize = "hidden_size"
        case _intermediateSize = "intermediate_size"
        case _numHiddenLayers = "num_hidden_layers"
        case _numAttentionHeads = "num_attention_heads"
        case _numChannels = "num_channels"
        case _imageSize = "image_size"
        case _patchSize = "patch_size"
        case _hiddenAct = "hidden_act"
        case _layerNormEps = "layer_norm_eps"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        _hiddenSize = try container.decodeIntegerIfPresent(forKey: ._hiddenSize)
        _intermediateSize = try container.decodeIntegerIfPresent(forKey: ._intermediateSize)
        _numHiddenLayers = try container.decodeIntegerIfPresent(forKey: ._numHiddenLayers)
        _numAttentionHeads = try container.decodeIntegerIfPresent(forKey: ._numAttentionHeads)
        _numChannels = try container.decodeIntegerIfPresent(forKey: ._numChannels)
        _imageSize = try container.decodeIntegerIfPresent(forKey: ._imageSize)
        _patchSize = try container.decodeIntegerIfPresent(forKey: ._patchSize)
        _hiddenAct = try container.decodeIfPresent(String.self, forKey: ._hiddenAct)
        _layerNormEps = try container.decodeIfPresent(Double.self, forKey: ._layerNormEps)
    }

    /// The defaults of transformers' `GitVisionConfig()`.
    public init() {
        (_hiddenSize, _intermediateSize, _numHiddenLayers, _numAttentionHeads, _numChannels) = (nil, nil, nil, nil, nil)
        (_imageSize, _patchSize, _hiddenAct, _layerNormEps) = (nil, nil, nil, nil)
    }

    /// Largest `image_size` (a checkpoint's position embeddings hold one row per patch of it) and `num_channels`.
    static let maximumImageSize = 8192
    static let maximumChannels = 16
    /// Most patches a side of an image size asked for instead of `image_size` (``validateImageSize(_:)``): 128 × 128
    /// image tokens already make each attention head's score matrix 1 GB.
    public static let maximumPatchesPerSide = 128

    func validate(file url: URL) throws {
        func require(_ condition: Bool, _ key: String, _ reason: String) throws {
            if !condition { throw ConfigurationError.invalidValue(url, keyPath: "vision_config." + key, reason: reason) }
        }
        for (key, value, maximum) in [
            ("hidden_size", hiddenSize, GitConfig.maximumHiddenSize), ("intermediate_size", intermediateSize, 4 * GitConfig.maximumHiddenSize),
            ("num_hidden_layers", numHiddenLayers, GitConfig.maximumLayers), ("num_attention_heads", numAttentionHeads, hiddenSize),
            ("num_channels", numChannels, Self.maximumChannels), ("image_size", imageSize, Self.maximumImageSize),
            ("patch_size", patchSize, imageSize),
        ] {
            try require((1...max(1, maximum)).contains(value), key, "must be between 1 and \(maximum), found \(value)")
        }
        try require(hiddenSize % numAttentionHeads == 0, "hidden_size",
                    "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        try require(imageSize % patchSize == 0, "image_size", "\(imageSize) is not a multiple of patch_size \(patchSize)")
        try require(layerNormEps > 0 && layerNormEps.isFinite, "layer_norm_eps", "must be positive")
        try require(Activation(rawValue: hiddenAct) != nil, "hidden_act", "unsupported activation \"\(hiddenAct)\"")
    }

    /// Checks an image size asked for instead of `image_size` (the position embeddings are then interpolated): at
    /// least one patch and at most ``maximumPatchesPerSide`` patches a side.
    public func validateImageSize(_ size: Int) throws {
        let sizes = patchSize...(patchSize * Self.maximumPatchesPerSide)
        guard sizes.contains(size) else {
            throw ConfigurationError.invalidImageSize(size, reason: "this checkpoint (\(patchSize)-pixel patches) takes "
                + "\(sizes.lowerBound) to \(sizes.upperBound) pixels")
        }
    }
}

/// One token id or a list of them (`eos_token_id` may be either).
struct TokenIdList: Decodable, Equatable, Sendable {
    let ids: [Int]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let single = try? container.decode(Int.self) {
            ids = [single]
        } else {
            ids = try container.decode([Int].self)
        }
    }
}
