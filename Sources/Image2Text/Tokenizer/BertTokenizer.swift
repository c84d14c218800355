import Foundation
import Image2TextSupport

/// The BERT WordPiece tokenizer of GIT checkpoints, token for token equal to transformers 5.23's `BertTokenizer`
/// (backed by tokenizers 0.23.3).
///
/// Encoding: added/special tokens are cut out of the raw text, the rest is normalized (`BertNormalizer`),
/// split into words (`BertPreTokenizer`) and into WordPiece pieces (`WordpieceModel`), then wrapped as
/// `[CLS] … [SEP]`. Decoding joins pieces with `WordpieceDecoder`.
public struct BertTokenizer: Sendable {
    /// The settings in effect (from `tokenizer_config.json`, or given to ``init(vocabularyFile:configuration:)``).
    public let configuration: TokenizerConfiguration
    /// Id of the classifier token (`[CLS]`, 101 in bert-base-uncased), the first token of every encoding.
    public let clsTokenId: Int
    /// Id of the separator token (`[SEP]`, 102), the last token of every encoding.
    public let sepTokenId: Int
    /// Id of the padding token (`[PAD]`, 0).
    public let padTokenId: Int
    /// Id of the unknown token (`[UNK]`, 100).
    public let unkTokenId: Int
    /// Id of the mask token (`[MASK]`, 103).
    public let maskTokenId: Int

    private let vocabulary: Vocabulary
    private let addedVocabulary: AddedVocabulary
    private let normalizer: BertNormalizer
    private let model: WordpieceModel

    /// Number of distinct tokens in the WordPiece vocabulary (transformers' `vocab_size`, 30522 for git-base).
    public var vocabularySize: Int { vocabulary.count }

    /// Loads the tokenizer of a checkpoint folder: transformers 5.23 layout (`tokenizer.json` +
    /// `tokenizer_config.json`) or hub layout (`vocab.txt` + `tokenizer_config.json` + `special_tokens_map.json`).
    /// `tokenizer.json` wins when both vocabularies are present, as in transformers; missing config files mean
    /// defaults.
    public init(directory: URL) throws {
        let fileManager = FileManager.default
        func file(_ name: String) -> URL? {
            let url = directory.appendingPathComponent(name)
            return fileManager.fileExists(atPath: url.path) ? url : nil
        }
        var configuration = try file(CheckpointFileNames.tokenizerConfiguration)
            .map { try JSONFile.decode(TokenizerConfiguration.self, from: $0) } ?? TokenizerConfiguration()
        if configuration.addedTokensDecoder == nil, let url = file(CheckpointFileNames.specialTokensMap) {
            let map = try JSONFile.decode(SpecialTokensMap.self, from: url)
            configuration.specialTokens.merge(map.specialTokens) { _, new in new }
        }
        if let url = file(CheckpointFileNames.tokenizer) {
            let tokenizerFile = try JSONFile.decode(TokenizerJSON.self, from: url)
            if let type = tokenizerFile.model.type, type != "WordPiece" {
                throw TokenizerError.unsupportedModel(url, expected: "WordPiece", found: type)
            }
            try self.init(
                vocabulary: Vocabulary(tokenizerJSONVocabulary: tokenizerFile.model.vocab, file: url),
                addedTokens: configuration.addedTokensDecoder ?? tokenizerFile.addedTokens, configuration: configuration,
                source: url)
        } else if let url = file(CheckpointFileNames.vocabulary) {
            try self.init(vocabularyFile: url, configuration: configuration)
        } else {
            throw TokenizerError.missingTokenizerFiles(folder: directory)
        }
    }

    /// Loads a `vocab.txt` (one token per line), like transformers' `BertTokenizer(vocab_file)`.
    public init(vocabularyFile: URL, configuration: TokenizerConfiguration = TokenizerConfiguration()) throws {
        try self.init(
            vocabulary: Vocabulary(contentsOf: vocabularyFile), addedTokens: configuration.addedTokensDecoder ?? [],
            configuration: configuration, source: vocabularyFile)
    }

    private init(
        vocabulary: Vocabulary, addedTokens: [AddedTokenValue], configuration: TokenizerConfiguration, source: URL
    ) throws {
        let normalizer = BertNormalizer(
            handleChineseCharacters: configuration.tokenizeChineseChars,
            stripAccents: configuration.resolvedStripAccents, lowercase: configuration.doLowerCase)
        let addedVocabulary = try AddedVocabulary(
            fileTokens: addedTokens, specialTokens: configuration.specialTokens, vocabulary: vocabulary,
            normalizer: normalizer, source: source)
        func id(of role: SpecialTokenRole) throws -> Int {
            let content = Array(configuration.content(of: role).unicodeScalars)
            guard let id = addedVocabulary.id(of: content) ?? vocabulary.id(of: content) else {
                throw TokenizerError.missingSpecialToken(
                    source, role: role.rawValue, token: configuration.content(of: role))
            }
            return id
        }
        // WordPiece looks the unknown token up in its own vocabulary, not among the added tokens.
        let unknownToken = configuration.content(of: .unk)
        guard let unknownTokenId = vocabulary.id(of: Array(unknownToken.unicodeScalars)) else {
            throw TokenizerError.missingSpecialToken(source, role: SpecialTokenRole.unk.rawValue, token: unknownToken)
        }
        self.configuration = configuration
        self.vocabulary = vocabulary
        self.addedVocabulary = addedVocabulary
        self.normalizer = normalizer
        model = WordpieceModel(vocabulary: vocabulary, unknownToken: unknownToken, unknownTokenId: unknownTokenId)
        clsTokenId = try id(of: .cls)
        sepTokenId = try id(of: .sep)
        padTokenId = try id(of: .pad)
        unkTokenId = try id(of: .unk)
        maskTokenId = try id(of: .mask)
    }

    /// Token ids of `text` (transformers' `input_ids`), wrapped as `[CLS] … [SEP]` unless `addSpecialTokens` is off.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        encodeTokens(text, addSpecialTokens: addSpecialTokens).map(\.id)
    }

    /// Token strings of `text` (transformers' `tokenize`); with `addSpecialTokens`, one per id of
    /// ``encode(_:addSpecialTokens:)``.
    public func tokenize(_ text: String, addSpecialTokens: Bool = false) -> [String] {
        encodeTokens(text, addSpecialTokens: addSpecialTokens).map(\.value)
    }

    /// Text of `ids` (transformers' `decode`); `skipSpecialTokens` drops every special token, `[UNK]` included.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) throws -> String {
        var tokens = try convertIdsToTokens(ids)
        if skipSpecialTokens { tokens.removeAll { addedVocabulary.isSpecial($0) } }
        return WordpieceDecoder.decode(tokens, cleanUpTokenizationSpaces: configuration.cleanUpTokenizationSpaces)
    }

    /// The token string of each id (added tokens first, then the vocabulary).
    public func convertIdsToTokens(_ ids: [Int]) throws -> [String] {
        try ids.map { id in
            guard let token = addedVocabulary.text(for: id) ?? vocabulary.token(for: id) else {
                throw TokenizerError.unknownTokenId(id, vocabularySize: vocabularySize)
            }
            return token
        }
    }

    private func encodeTokens(_ text: String, addSpecialTokens: Bool) -> [EncodedToken] {
        var tokens: [EncodedToken] = []
        if addSpecialTokens { tokens.append(EncodedToken(id: clsTokenId, value: configuration.content(of: .cls))) }
        let scalars = Array(text.unicodeScalars)
        for rawSegment in addedVocabulary.splitRaw(scalars[...]) {
            switch rawSegment {
            case .token(let token):
                tokens.append(token)
            case .text(let raw):
                let normalized = normalizer.normalize(raw)
                for segment in addedVocabulary.splitNormalized(normalized[...]) {
                    switch segment {
                    case .token(let token):
                        tokens.append(token)
                    case .text(let text):
                        for word in BertPreTokenizer.words(in: Array(text)) { model.tokenize(word, into: &tokens) }
                    }
                }
            }
        }
        if addSpecialTokens { tokens.append(EncodedToken(id: sepTokenId, value: configuration.content(of: .sep))) }
        return tokens
    }
}
