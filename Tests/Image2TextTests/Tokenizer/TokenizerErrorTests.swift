import Foundation
import Testing

@testable import Image2Text

@Suite("Tokenizer errors")
struct TokenizerErrorTests {
    private static func folder(with files: [String: String]) throws -> URL {
        let folder = try Fixtures.temporaryDirectory()
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    @Test("A missing vocabulary file or folder")
    func missingVocabulary() throws {
        let folder = try Self.folder(with: ["tokenizer_config.json": "{}"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: TokenizerError.missingTokenizerFiles(folder: folder)) { try BertTokenizer(directory: folder) }
        let file = folder.appendingPathComponent("absent.txt")
        #expect(throws: TokenizerError.missingVocabulary(file)) { try BertTokenizer(vocabularyFile: file) }
    }

    @Test("An empty vocabulary")
    func emptyVocabulary() throws {
        let folder = try Self.folder(with: [
            "vocab.txt": "", "tokenizer.json": #"{"model":{"type":"WordPiece","vocab":{}}}"#,
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let vocab = folder.appendingPathComponent("vocab.txt")
        #expect(throws: TokenizerError.emptyVocabulary(vocab)) { try BertTokenizer(vocabularyFile: vocab) }
        #expect(throws: TokenizerError.emptyVocabulary(folder.appendingPathComponent("tokenizer.json"))) {
            try BertTokenizer(directory: folder)
        }
    }

    @Test("A vocabulary without [UNK], or without a configured special token")
    func missingSpecialTokens() throws {
        let folder = try Self.folder(with: [
            "no-unk.txt": "[PAD]\n[CLS]\n[SEP]\n[MASK]\nhello\n",
            "no-mask.txt": "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let noUnknown = folder.appendingPathComponent("no-unk.txt")
        #expect(throws: TokenizerError.missingSpecialToken(noUnknown, role: "unk_token", token: "[UNK]")) {
            try BertTokenizer(vocabularyFile: noUnknown)
        }
        let noMask = folder.appendingPathComponent("no-mask.txt")
        #expect(throws: TokenizerError.missingSpecialToken(noMask, role: "mask_token", token: "[MASK]")) {
            try BertTokenizer(vocabularyFile: noMask)
        }
        let renamed = TokenizerConfiguration(clsToken: "<s>")
        #expect(throws: TokenizerError.missingSpecialToken(noMask, role: "cls_token", token: "<s>")) {
            try BertTokenizer(vocabularyFile: noMask, configuration: renamed)
        }
    }

    @Test("A vocabulary that is not UTF-8")
    func invalidUTF8() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("vocab.txt")
        try Data("[PAD]\n[UNK]\n".utf8 + [0xFF, 0xFE, 0x0A]).write(to: url)
        #expect(throws: TokenizerError.unreadableVocabulary(url, reason: "line 3 is not valid UTF-8")) {
            try BertTokenizer(vocabularyFile: url)
        }
    }

    @Test("A tokenizer.json of another model type, or with bad entries")
    func badTokenizerJSON() throws {
        let bpe = try Self.folder(with: ["tokenizer.json": #"{"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}"#])
        let unigram = try Self.folder(with: ["tokenizer.json": #"{"model":{"type":"Unigram","vocab":[["a",0.0]]}}"#])
        let negative = try Self.folder(with: ["tokenizer.json": #"{"model":{"type":"WordPiece","vocab":{"[UNK]":-1}}}"#])
        let wrongType = try Self.folder(with: ["tokenizer.json": #"{"model":{"type":"WordPiece","vocab":{"a":"0"}}}"#])
        let negativeAdded = try Self.folder(with: [
            "tokenizer.json": #"{"added_tokens":[{"id":-3,"content":"<x>"}],"model":{"vocab":{"[UNK]":0}}}"#,
        ])
        defer {
            for folder in [bpe, unigram, negative, wrongType, negativeAdded] {
                try? FileManager.default.removeItem(at: folder)
            }
        }
        let bpeFile = bpe.appendingPathComponent("tokenizer.json")
        #expect(throws: TokenizerError.unsupportedModel(bpeFile, expected: "WordPiece", found: "BPE")) {
            try BertTokenizer(directory: bpe)
        }
        let unigramFile = unigram.appendingPathComponent("tokenizer.json")
        #expect(throws: TokenizerError.unsupportedModel(unigramFile, expected: "WordPiece", found: "Unigram")) {
            try BertTokenizer(directory: unigram)
        }
        let negativeFile = negative.appendingPathComponent("tokenizer.json")
        #expect(throws: TokenizerError.invalidVocabularyEntry(
            negativeFile, token: "[UNK]", id: -1, reason: "ids must not be negative")) {
            try BertTokenizer(directory: negative)
        }
        let negativeAddedFile = negativeAdded.appendingPathComponent("tokenizer.json")
        #expect(throws: TokenizerError.invalidVocabularyEntry(
            negativeAddedFile, token: "<x>", id: -3, reason: "ids must not be negative")) {
            try BertTokenizer(directory: negativeAdded)
        }
        let wrongTypeFile = wrongType.appendingPathComponent("tokenizer.json")
        #expect(throws: ConfigurationError.wrongType(wrongTypeFile, keyPath: "model.vocab.a", expected: "an integer")) {
            try BertTokenizer(directory: wrongType)
        }
    }

    @Test("A tokenizer_config.json key of the wrong type; an out-of-range model_max_length means no limit")
    func badConfiguration() throws {
        let folder = try Self.folder(with: ["tokenizer_config.json": #"{"do_lower_case":"yes"}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Fixtures.vocabulary, to: folder.appendingPathComponent("vocab.txt"))
        let file = folder.appendingPathComponent("tokenizer_config.json")
        #expect(throws: ConfigurationError.wrongType(file, keyPath: "do_lower_case", expected: "a boolean")) {
            try BertTokenizer(directory: folder)
        }
        try Data(#"{"model_max_length":-1e30,"mask_token":null}"#.utf8).write(to: file)
        let tokenizer = try BertTokenizer(directory: folder)
        #expect(tokenizer.configuration.modelMaxLength == nil)
        #expect(tokenizer.maskTokenId == 103)
    }

    @Test("decode of an id outside the vocabulary")
    func unknownId() throws {
        let tokenizer = try BertTokenizer(vocabularyFile: Fixtures.vocabulary)
        for id in [30522, 40000, -1, Int.max] {
            #expect(throws: TokenizerError.unknownTokenId(id, vocabularySize: 30522)) { try tokenizer.decode([101, id]) }
        }
    }

    @Test("Error descriptions are one line naming the file")
    func descriptions() {
        let url = URL(fileURLWithPath: "/models/git/vocab.txt")
        let errors: [TokenizerError] = [
            .missingVocabulary(url), .missingTokenizerFiles(folder: url),
            .unreadableVocabulary(url, reason: "line 3 is not valid UTF-8"),
            .emptyVocabulary(url), .missingSpecialToken(url, role: "unk_token", token: "[UNK]"),
            .invalidVocabularyEntry(url, token: "a", id: -1, reason: "ids must not be negative"),
            .unsupportedModel(url, expected: "WordPiece", found: "BPE"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("/models/git/vocab.txt: "))
            #expect(!error.description.contains("\n"))
        }
        #expect(TokenizerError.unknownTokenId(40000, vocabularySize: 30522).description
            == "token id 40000 is not in the vocabulary (30522 tokens)")
    }
}
