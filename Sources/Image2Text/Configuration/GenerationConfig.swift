import Foundation

/// `generation_config.json` (transformers' `GenerationConfig`): the special-token ids and the generation options the
/// checkpoint sets, read by the keys of ``GenerationOption/all``. An option the file leaves out is nil here and takes
/// transformers 5.23's default where generation is run. When the file is absent, the ids come from `config.json`, as
/// `GenerationConfig.from_model_config` does.
public struct GenerationConfig: Sendable, Equatable, Decodable {
    public var bosTokenId: Int?
    public var eosTokenIds: [Int]?
    public var padTokenId: Int?
    /// The file's generation options, the defaults of every `generate` call.
    public var options = GenerationOptions()

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        bosTokenId = try container.decodeWholeNumberIfPresent(forKey: Key("bos_token_id"))
        eosTokenIds = try container.decodeIfPresent(TokenIdList.self, forKey: Key("eos_token_id"))?.ids
        padTokenId = try container.decodeWholeNumberIfPresent(forKey: Key("pad_token_id"))
        for option in GenerationOption.all where option.isConfigKey {
            let key = Key(option.name)
            let value: GenerationOption.Value? = switch option.kind {
            case .integer, .seed: try container.decodeWholeNumberIfPresent(forKey: key).map { .integer($0) }
            case .number: try container.decodeIfPresent(Double.self, forKey: key).map { .number($0) }
            case .flag: try container.decodeIfPresent(Bool.self, forKey: key).map { .flag($0) }
            case .choice:
                if let flag = try? container.decodeIfPresent(Bool.self, forKey: key) { .flag(flag) }
                else { try container.decodeIfPresent(String.self, forKey: key).map { .word($0) } }
            case .tokenLists: try container.decodeIfPresent([[WholeNumber]].self, forKey: key).map { .tokenLists($0.map { $0.map(\.value) }) }
            }
            do {
                if let value { try option.set(value, in: &options) }
            } catch {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: error.reason)
            }
        }
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

    /// Rejects what generation cannot run with, naming the key: a generation option outside its range
    /// (``GenerationOptions/checkRanges(vocabularySize:)``), or a token id outside the vocabulary.
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

    /// A key of the file, by its name.
    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(_ name: String) { stringValue = name }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
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
