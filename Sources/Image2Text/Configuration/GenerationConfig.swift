import Foundation

/// `generation_config.json` (transformers `GenerationConfig`, spec §1.3 and §5.1). Only the keys a checkpoint sets
/// are stored; everything else is nil here and takes transformers 5.23's default where generation is run. When the
/// file is absent, the special-token ids come from `config.json`, as `GenerationConfig.from_model_config` does.
public struct GenerationConfig: Sendable, Equatable, Decodable {
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]?
    public var padTokenId: Int?
    public var maxLength: Int?
    public var maxNewTokens: Int?
    public var minLength: Int?
    public var minNewTokens: Int?
    public var doSample: Bool?
    public var numBeams: Int?
    public var numReturnSequences: Int?
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var repetitionPenalty: Double?
    public var noRepeatNgramSize: Int?
    public var lengthPenalty: Double?
    /// `early_stopping`: true, false or "never".
    public var earlyStopping: GenerationOptions.EarlyStopping?
    public var badWordsIds: [[Int]]?

    enum CodingKeys: String, CodingKey {
        case bosTokenId = "bos_token_id"
        case eosTokenIds = "eos_token_id"
        case padTokenId = "pad_token_id"
        case maxLength = "max_length"
        case maxNewTokens = "max_new_tokens"
        case minLength = "min_length"
        case minNewTokens = "min_new_tokens"
        case doSample = "do_sample"
        case numBeams = "num_beams"
        case numReturnSequences = "num_return_sequences"
        case temperature
        case topK = "top_k"
        case topP = "top_p"
        case repetitionPenalty = "repetition_penalty"
        case noRepeatNgramSize = "no_repeat_ngram_size"
        case lengthPenalty = "length_penalty"
        case earlyStopping = "early_stopping"
        case badWordsIds = "bad_words_ids"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bosTokenId = try container.decodeIntegerIfPresent(forKey: .bosTokenId)
        eosTokenIds = try container.decodeIfPresent(TokenIdList.self, forKey: .eosTokenIds)?.ids
        padTokenId = try container.decodeIntegerIfPresent(forKey: .padTokenId)
        maxLength = try container.decodeIntegerIfPresent(forKey: .maxLength)
        maxNewTokens = try container.decodeIntegerIfPresent(forKey: .maxNewTokens)
        minLength = try container.decodeIntegerIfPresent(forKey: .minLength)
        minNewTokens = try container.decodeIntegerIfPresent(forKey: .minNewTokens)
        doSample = try container.decodeIfPresent(Bool.self, forKey: .doSample)
        numBeams = try container.decodeIntegerIfPresent(forKey: .numBeams)
        numReturnSequences = try container.decodeIntegerIfPresent(forKey: .numReturnSequences)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topK = try container.decodeIntegerIfPresent(forKey: .topK)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        repetitionPenalty = try container.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        noRepeatNgramSize = try container.decodeIntegerIfPresent(forKey: .noRepeatNgramSize)
        lengthPenalty = try container.decodeIfPresent(Double.self, forKey: .lengthPenalty)
        earlyStopping = try container.decodeIfPresent(GenerationOptions.EarlyStopping.self, forKey: .earlyStopping)
        badWordsIds = try container.decodeIfPresent([[Int]].self, forKey: .badWordsIds)
    }

    /// The generation config transformers derives from `config.json` when a checkpoint has no generation file.
    public init(modelConfig: GitConfig) {
        bosTokenId = modelConfig.bosTokenId
        eosTokenIds = modelConfig.eosTokenIds
        padTokenId = modelConfig.padTokenId
    }

    /// Reads `generation_config.json` if it exists, else derives the config from `modelConfig`. Ids the file leaves
    /// out are taken from `modelConfig`.
    public static func load(from url: URL, modelConfig: GitConfig) throws -> GenerationConfig {
        guard FileManager.default.fileExists(atPath: url.path) else { return GenerationConfig(modelConfig: modelConfig) }
        var config = try JSONFile.decode(GenerationConfig.self, from: url)
        config.bosTokenId = config.bosTokenId ?? modelConfig.bosTokenId
        config.eosTokenIds = config.eosTokenIds ?? modelConfig.eosTokenIds
        config.padTokenId = config.padTokenId ?? modelConfig.padTokenId
        return config
    }
}
