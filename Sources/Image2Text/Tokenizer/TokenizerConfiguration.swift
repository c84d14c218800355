import Foundation

/// The settings of `tokenizer_config.json` that transformers 5.23's `BertTokenizer` reads; a missing key takes
/// transformers' default.
public struct TokenizerConfiguration: Sendable, Equatable, Decodable {
    /// Lower-case the text (`do_lower_case`, default true).
    public var doLowerCase: Bool
    /// Strip accents (`strip_accents`); nil, the default, follows `doLowerCase`.
    public var stripAccents: Bool?
    /// Put spaces around CJK ideographs (`tokenize_chinese_chars`, default true).
    public var tokenizeChineseChars: Bool
    /// Apply transformers' `clean_up_tokenization` after decoding (`clean_up_tokenization_spaces`, default false).
    public var cleanUpTokenizationSpaces: Bool
    /// `model_max_length`; nil when absent or at transformers' "very large" placeholder (1e30). Nothing is truncated.
    public var modelMaxLength: Int?
    /// The special tokens by role, by default transformers' strings ("[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]").
    var specialTokens: [SpecialTokenRole: AddedTokenValue]
    /// `added_tokens_decoder` (id → token, here as tokens with their ids, by id), written by transformers 4.x; when
    /// present it replaces the added tokens of `tokenizer.json` and the contents of `special_tokens_map.json`.
    var addedTokensDecoder: [AddedTokenValue]?

    /// The ids a token may have: tokenizers stores them as u32.
    static let tokenIds = 0...Int(UInt32.max)

    /// Why `id` cannot be a token id, or nil if it can.
    static func problem(withTokenId id: Int) -> String? {
        id < 0 ? "ids must not be negative" : id > tokenIds.upperBound ? "ids must be at most \(tokenIds.upperBound)" : nil
    }

    /// Builds a configuration; the defaults are transformers 5.23's `BertTokenizer` defaults (a nil special token
    /// is the default string: "[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]").
    public init(
        doLowerCase: Bool = true,
        stripAccents: Bool? = nil,
        tokenizeChineseChars: Bool = true,
        cleanUpTokenizationSpaces: Bool = false,
        modelMaxLength: Int? = nil,
        clsToken: String? = nil,
        sepToken: String? = nil,
        padToken: String? = nil,
        unkToken: String? = nil,
        maskToken: String? = nil
    ) {
        self.doLowerCase = doLowerCase
        self.stripAccents = stripAccents
        self.tokenizeChineseChars = tokenizeChineseChars
        self.cleanUpTokenizationSpaces = cleanUpTokenizationSpaces
        self.modelMaxLength = modelMaxLength
        let given: [SpecialTokenRole: String?] = [
            .cls: clsToken, .sep: sepToken, .pad: padToken, .unk: unkToken, .mask: maskToken,
        ]
        specialTokens = [:]
        for role in SpecialTokenRole.allCases {
            specialTokens[role] = AddedTokenValue(content: (given[role] ?? nil) ?? role.defaultContent)
        }
        addedTokensDecoder = nil
    }

    /// The content of the special token with this role.
    func content(of role: SpecialTokenRole) -> String { specialTokens[role]?.content ?? role.defaultContent }

    /// Strip accents as tokenizers resolves a missing `strip_accents`: like lower-casing.
    var resolvedStripAccents: Bool { stripAccents ?? doLowerCase }

    private enum CodingKeys: String, CodingKey {
        case doLowerCase = "do_lower_case"
        case stripAccents = "strip_accents"
        case tokenizeChineseChars = "tokenize_chinese_chars"
        case cleanUpTokenizationSpaces = "clean_up_tokenization_spaces"
        case modelMaxLength = "model_max_length"
        case addedTokensDecoder = "added_tokens_decoder"
    }

    /// Reads `tokenizer_config.json`; absent and null keys keep the defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        doLowerCase = try container.decodeIfPresent(Bool.self, forKey: .doLowerCase) ?? doLowerCase
        stripAccents = try container.decodeIfPresent(Bool.self, forKey: .stripAccents)
        tokenizeChineseChars = try container.decodeIfPresent(Bool.self, forKey: .tokenizeChineseChars)
            ?? tokenizeChineseChars
        cleanUpTokenizationSpaces = try container.decodeIfPresent(Bool.self, forKey: .cleanUpTokenizationSpaces)
            ?? cleanUpTokenizationSpaces
        // A Double, because transformers writes its placeholder int(1e30), which no Int holds.
        let length = try container.decodeIfPresent(Double.self, forKey: .modelMaxLength)
        if let length, (0..<1e18).contains(length) { modelMaxLength = Int(length) }
        specialTokens.merge(try SpecialTokenRole.decodeAll(from: decoder)) { _, new in new }
        if let entriesByKey = try container.decodeIfPresent(
            [String: AddedTokenValue].self, forKey: .addedTokensDecoder)
        {
            var entries: [AddedTokenValue] = []
            for (key, value) in entriesByKey {
                guard let id = Int(key), Self.tokenIds.contains(id) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .addedTokensDecoder, in: container,
                        debugDescription: "'\(key)' is not a token id (0 to \(Self.tokenIds.upperBound))")
                }
                var entry = value
                entry.id = id
                entries.append(entry)
            }
            addedTokensDecoder = entries.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
        }
    }
}

/// The named special tokens of a BERT tokenizer, keyed as in `tokenizer_config.json` and `special_tokens_map.json`.
enum SpecialTokenRole: String, CaseIterable, Sendable, CodingKey {
    case cls = "cls_token"
    case sep = "sep_token"
    case pad = "pad_token"
    case unk = "unk_token"
    case mask = "mask_token"

    var defaultContent: String {
        switch self {
        case .cls: "[CLS]"
        case .sep: "[SEP]"
        case .pad: "[PAD]"
        case .unk: "[UNK]"
        case .mask: "[MASK]"
        }
    }

    /// The roles present (and not null) in a JSON object.
    static func decodeAll(from decoder: any Decoder) throws -> [SpecialTokenRole: AddedTokenValue] {
        let container = try decoder.container(keyedBy: SpecialTokenRole.self)
        var values: [SpecialTokenRole: AddedTokenValue] = [:]
        for role in allCases {
            if let value = try container.decodeIfPresent(AddedTokenValue.self, forKey: role) { values[role] = value }
        }
        return values
    }
}

/// `special_tokens_map.json` of hub snapshots; read only when `tokenizer_config.json` has no `added_tokens_decoder`.
struct SpecialTokensMap: Decodable, Sendable {
    let specialTokens: [SpecialTokenRole: AddedTokenValue]

    init(from decoder: any Decoder) throws {
        specialTokens = try SpecialTokenRole.decodeAll(from: decoder)
    }
}

/// An added token as written in the JSON files: a bare string, or an object with `content` and optional flags
/// (`single_word`, `lstrip`, `rstrip`, `normalized`, `special`; `tokenizer.json` also gives `id`).
struct AddedTokenValue: Decodable, Equatable, Sendable {
    var content: String
    var id: Int? = nil
    var singleWord: Bool? = nil
    var lstrip: Bool? = nil
    var rstrip: Bool? = nil
    var normalized: Bool? = nil
    var special: Bool? = nil

    init(content: String) { self.content = content }

    private enum CodingKeys: String, CodingKey {
        case content, id, lstrip, rstrip, normalized, special
        case singleWord = "single_word"
    }

    init(from decoder: any Decoder) throws {
        if let content = try? decoder.singleValueContainer().decode(String.self) {
            self.content = content
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        content = try container.decode(String.self, forKey: .content)
        id = try container.decodeIfPresent(Int.self, forKey: .id)
        singleWord = try container.decodeIfPresent(Bool.self, forKey: .singleWord)
        lstrip = try container.decodeIfPresent(Bool.self, forKey: .lstrip)
        rstrip = try container.decodeIfPresent(Bool.self, forKey: .rstrip)
        normalized = try container.decodeIfPresent(Bool.self, forKey: .normalized)
        special = try container.decodeIfPresent(Bool.self, forKey: .special)
    }
}

/// The parts of a `tokenizer.json` that transformers 5.23's `BertTokenizer` takes from it: the model's type and
/// vocabulary, and the added tokens. (It rebuilds normalizer, pre-tokenizer, post-processor and decoder from
/// `tokenizer_config.json`, so those sections are not read.)
struct TokenizerJSON: Decodable, Sendable {
    struct Model: Decodable, Sendable {
        let type: String?
        /// Read only for WordPiece (or an untyped model), so that another model type is reported as such.
        let vocab: [String: Int]

        private enum CodingKeys: String, CodingKey { case type, vocab }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decodeIfPresent(String.self, forKey: .type)
            let isWordPiece = type == nil || type == "WordPiece"
            vocab = isWordPiece ? try container.decode([String: Int].self, forKey: .vocab) : [:]
        }
    }

    let model: Model
    let addedTokens: [AddedTokenValue]

    private enum CodingKeys: String, CodingKey {
        case model
        case addedTokens = "added_tokens"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(Model.self, forKey: .model)
        addedTokens = try container.decodeIfPresent([AddedTokenValue].self, forKey: .addedTokens) ?? []
    }
}
