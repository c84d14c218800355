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
        bosTokenId = try container.decodeWholeNumberIfPresent(forKey: .bosTokenId)
        eosTokenIds = try container.decodeIfPresent(TokenIdList.self, forKey: .eosTokenIds)?.ids
        padTokenId = try container.decodeWholeNumberIfPresent(forKey: .padTokenId)
        maxLength = try container.decodeWholeNumberIfPresent(forKey: .maxLength)
        maxNewTokens = try container.decodeWholeNumberIfPresent(forKey: .maxNewTokens)
        minLength = try container.decodeWholeNumberIfPresent(forKey: .minLength)
        minNewTokens = try container.decodeWholeNumberIfPresent(forKey: .minNewTokens)
        doSample = try container.decodeIfPresent(Bool.self, forKey: .doSample)
        numBeams = try container.decodeWholeNumberIfPresent(forKey: .numBeams)
        numReturnSequences = try container.decodeWholeNumberIfPresent(forKey: .numReturnSequences)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topK = try container.decodeWholeNumberIfPresent(forKey: .topK)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        repetitionPenalty = try container.decodeIfPresent(Double.self, forKey: .repetitionPenalty)
        noRepeatNgramSize = try container.decodeWholeNumberIfPresent(forKey: .noRepeatNgramSize)
        lengthPenalty = try container.decodeIfPresent(Double.self, forKey: .lengthPenalty)
        earlyStopping = try container.decodeIfPresent(GenerationOptions.EarlyStopping.self, forKey: .earlyStopping)
        badWordsIds = try container.decodeIfPresent([[WholeNumber]].self, forKey: .badWordsIds)?.map { $0.map(\.value) }
    }

    /// The generation config transformers derives from `config.json` when a checkpoint has no generation file.
    public init(modelConfig: GitConfig) {
        bosTokenId = modelConfig.bosTokenId
        eosTokenIds = modelConfig.eosTokenIds
        padTokenId = modelConfig.padTokenId
    }

    /// Reads and validates `generation_config.json` if it exists, else derives the config from `modelConfig`. Ids the
    /// file leaves out are taken from `modelConfig`.
    public static func load(from url: URL, modelConfig: GitConfig) throws -> GenerationConfig {
        guard FileManager.default.fileExists(atPath: url.path) else { return GenerationConfig(modelConfig: modelConfig) }
        var config = try JSONFile.decode(GenerationConfig.self, from: url)
        try config.validate(file: url, vocabularySize: modelConfig.vocabSize)
        config.bosTokenId = config.bosTokenId ?? modelConfig.bosTokenId
        config.eosTokenIds = config.eosTokenIds ?? modelConfig.eosTokenIds
        config.padTokenId = config.padTokenId ?? modelConfig.padTokenId
        return config
    }

    /// Rejects what generation cannot run with, naming the key: a generation option outside the range a
    /// ``GenerationOptions`` value is held to, or a token id outside the vocabulary.
    func validate(file url: URL, vocabularySize: Int) throws {
        do {
            try options.checkRanges(vocabularySize: vocabularySize)
        } catch {
            throw ConfigurationError.invalidValue(url, keyPath: error.name, reason: error.reason)
        }
        if eosTokenIds == [] { throw ConfigurationError.invalidValue(url, keyPath: "eos_token_id", reason: "the list is empty") }
        for (key, id) in [("bos_token_id", bosTokenId), ("pad_token_id", padTokenId)] + (eosTokenIds ?? []).map({ ("eos_token_id", $0) }) {
            if let id, !(0..<vocabularySize).contains(id) {
                throw ConfigurationError.invalidValue(url, keyPath: key, reason: "id \(id) is outside the vocabulary of \(vocabularySize)")
            }
        }
    }

    /// The file's generation options, the defaults of every `generate` call.
    var options: GenerationOptions {
        GenerationOptions(maxNewTokens: maxNewTokens, maxLength: maxLength, minNewTokens: minNewTokens, minLength: minLength,
                          numBeams: numBeams, numReturnSequences: numReturnSequences, lengthPenalty: lengthPenalty,
                          earlyStopping: earlyStopping, doSample: doSample, temperature: temperature, topK: topK, topP: topP,
                          repetitionPenalty: repetitionPenalty, noRepeatNgramSize: noRepeatNgramSize, badWordsIds: badWordsIds)
    }
}

extension KeyedDecodingContainer {
    /// An integer key, exact up to `Int.max` (a length such as 2^63 − 1 is valid); a fractional or larger number is
    /// refused naming the key.
    fileprivate func decodeWholeNumberIfPresent(forKey key: Key) throws -> Int? {
        if let exact = try? decodeIfPresent(Int.self, forKey: key) { return exact }
        return try decodeIntegerIfPresent(forKey: key)
    }
}

/// A whole number in a JSON array, exact up to `Int.max`. Foundation's decoder on Linux reports a fractional number
/// for an `Int` without its key path; this names the path (`bad_words_ids.0.1`).
private struct WholeNumber: Decodable {
    let value: Int

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let exact = try? container.decode(Int.self) {
            value = exact
            return
        }
        let number = try container.decode(Double.self)
        throw DecodingError.typeMismatch(Int.self, .init(codingPath: container.codingPath, debugDescription: "expected an integer, found \(number)"))
    }
}
