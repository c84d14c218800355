import Foundation
import Testing

@testable import Image2Text

/// `Fixtures/goldens/tokenizer.json`, written by `tools/reference/make_tokenizer_goldens.py` (transformers 5.23.0,
/// tokenizers 0.23.3). Tolerance: exact; texts and tokens are compared scalar by scalar.
private struct TokenizerGolden: Decodable {
    struct Encoding: Decodable {
        let text: String
        let ids: [Int]
        let tokens: [String]?
        let idsWithoutSpecialTokens: [Int]?
        let tokensWithoutSpecialTokens: [String]?
    }

    struct Decode: Decodable {
        let ids: [Int]
        let skipSpecialTokens: Bool
        let text: String
    }

    struct HubLayout: Decodable {
        let tokenizerConfig: String
        let specialTokensMap: String
    }

    struct Variant: Decodable {
        let tokenizerConfig: String
        let specialTokensMap: String
        let encodings: [Encoding]
        let decodes: [Decode]
    }

    struct SmallTokenizerJSON: Decodable {
        let tokenizerJson: String
        let tokenizerConfig: String
        let encodings: [Encoding]
        let decodes: [Decode]
    }

    struct QuirkyVocabulary: Decodable {
        let vocabTxt: String
        let vocabSize: Int
        let tokensById: [String?]
        let encodings: [Encoding]
        let decodes: [Decode]
    }

    struct UnicodeBlocks: Decodable {
        let blockSize: Int
        let digests: [String]
    }

    let hubLayout: HubLayout
    let encodings: [Encoding]
    let decodes: [Decode]
    let variants: [Variant]
    let smallTokenizerJson: SmallTokenizerJSON
    let quirkyVocabulary: QuirkyVocabulary
    let unicodeBlocks: UnicodeBlocks

    static let shared: Result<TokenizerGolden, any Error> = Result {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(TokenizerGolden.self, from: Data(contentsOf: Fixtures.golden("tokenizer.json")))
    }

    static func load() throws -> TokenizerGolden { try shared.get() }
}

/// Scalar-exact comparison: Swift's `==` on strings treats canonically equivalent texts as equal.
private func scalars(_ text: String) -> [UInt32] { text.unicodeScalars.map(\.value) }

private func scalars(_ texts: [String]) -> [[UInt32]] { texts.map(scalars) }

private func write(_ text: String, to url: URL) throws {
    try Data(text.utf8).write(to: url)
}

/// Checks a tokenizer against golden encodings and decodes; returns the number of mismatches (each is recorded).
@discardableResult
private func expectMatches(
    _ tokenizer: BertTokenizer, _ encodings: [TokenizerGolden.Encoding], _ decodes: [TokenizerGolden.Decode],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Int {
    var mismatches = 0
    for entry in encodings {
        let ids = tokenizer.encode(entry.text)
        if ids != entry.ids {
            mismatches += 1
            Issue.record("ids of \(entry.text.debugDescription): \(ids) != \(entry.ids)", sourceLocation: sourceLocation)
        }
        let tokens = tokenizer.tokenize(entry.text, addSpecialTokens: true)
        if let expected = entry.tokens, scalars(tokens) != scalars(expected) {
            mismatches += 1
            Issue.record("tokens of \(entry.text.debugDescription): \(tokens) != \(expected)", sourceLocation: sourceLocation)
        }
        if let ids = entry.idsWithoutSpecialTokens, tokenizer.encode(entry.text, addSpecialTokens: false) != ids {
            mismatches += 1
            Issue.record("ids without special tokens of \(entry.text.debugDescription)", sourceLocation: sourceLocation)
        }
        if let tokens = entry.tokensWithoutSpecialTokens, scalars(tokenizer.tokenize(entry.text)) != scalars(tokens) {
            mismatches += 1
            Issue.record("tokens without special tokens of \(entry.text.debugDescription)", sourceLocation: sourceLocation)
        }
    }
    for entry in decodes {
        let text = try tokenizer.decode(entry.ids, skipSpecialTokens: entry.skipSpecialTokens)
        if scalars(text) != scalars(entry.text) {
            mismatches += 1
            let call = "decode(\(entry.ids), skip: \(entry.skipSpecialTokens))"
            Issue.record(
                "\(call) = \(text.debugDescription), expected \(entry.text.debugDescription)", sourceLocation: sourceLocation)
        }
    }
    return mismatches
}

/// FNV-1a 64, as in the golden script.
private func fnv1a64(_ bytes: some Sequence<UInt8>) -> String {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01B3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

@Suite("Tokenizer")
struct TokenizerTests {
    private let bertVocabularyTokenizer: BertTokenizer

    init() throws {
        bertVocabularyTokenizer = try BertTokenizer(vocabularyFile: Fixtures.vocabulary)
    }

    @Test("Every golden string encodes to transformers 5.23's ids and tokens")
    func goldenEncodings() throws {
        let golden = try TokenizerGolden.load()
        #expect(golden.encodings.count >= 300)
        let clock = ContinuousClock()
        let elapsed = try clock.measure { try expectMatches(bertVocabularyTokenizer, golden.encodings, []) }
        print("tokenizer goldens: \(golden.encodings.count) strings (ids and tokens) checked in \(elapsed)")
    }

    @Test("Every golden id list decodes to transformers 5.23's text")
    func goldenDecodes() throws {
        let golden = try TokenizerGolden.load()
        #expect(golden.decodes.count >= 50)
        try expectMatches(bertVocabularyTokenizer, [], golden.decodes)
    }

    @Test("The examples of docs/tokenizer.md")
    func specExamples() throws {
        let tokenizer = bertVocabularyTokenizer
        #expect(tokenizer.encode("What is in the image?") == [101, 2054, 2003, 1999, 1996, 3746, 1029, 102])
        #expect(tokenizer.encode("Héllo wörld! naïve café") == [101, 7592, 2088, 999, 15743, 7668, 102])
        #expect(tokenizer.encode("[CLS] hello [SEP]") == [101, 101, 7592, 102, 102])
        #expect(tokenizer.tokenize("[unk]") == ["[", "un", "##k", "]"])
        #expect(tokenizer.tokenize("don't stop-believing (1,234.5)")
            == ["don", "'", "t", "stop", "-", "believing", "(", "1", ",", "234", ".", "5", ")"])
        #expect(tokenizer.tokenize("unaffable") == ["una", "##ffa", "##ble"])
        #expect(tokenizer.tokenize(String(repeating: "a", count: 120)) == ["[UNK]"])
        #expect(tokenizer.tokenize("a\u{0B}b") == ["ab"])
        #expect(try tokenizer.decode([101, 7592, 100, 2088, 102], skipSpecialTokens: true) == "hello world")
        #expect(try tokenizer.decode(tokenizer.encode("a man's shirt", addSpecialTokens: false)) == "a man ' s shirt")
        #expect(try tokenizer.decode(tokenizer.encode("\"stop\"", addSpecialTokens: false)) == "\" stop \"")
        #expect(try tokenizer.convertIdsToTokens([101, 2050]) == ["[CLS]", "##a"])
        let specialIds: [Int] = [
            tokenizer.padTokenId, tokenizer.unkTokenId, tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.maskTokenId,
        ]
        #expect(specialIds == [0, 100, 101, 102, 103])
        #expect(tokenizer.vocabularySize == 30522)
        #expect(tokenizer.configuration == TokenizerConfiguration())
    }

    @Test("Every Unicode scalar normalizes and pre-tokenizes as in tokenizers 0.23.3 (digest per block)")
    func unicodeBlocks() throws {
        let blocks = try TokenizerGolden.load().unicodeBlocks
        #expect(blocks.digests.count * blocks.blockSize == 0x110000)
        let normalizer = BertNormalizer(handleChineseCharacters: true, stripAccents: true, lowercase: true)
        for (index, expected) in blocks.digests.enumerated() {
            var text: [Unicode.Scalar] = []
            for value in UInt32(index * blocks.blockSize)..<UInt32((index + 1) * blocks.blockSize) {
                guard let scalar = Unicode.Scalar(value) else { continue }
                if !text.isEmpty { text.append(" ") }
                text.append(scalar)
            }
            let words = BertPreTokenizer.words(in: normalizer.normalize(text))
            let joined = words.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
            let digest = fnv1a64(joined.utf8)
            #expect(digest == expected, "code points \(String(index * blocks.blockSize, radix: 16))…")
        }
    }

    @Test("Hub layout: vocab.txt + tokenizer_config.json + special_tokens_map.json")
    func hubLayoutFolder() throws {
        let golden = try TokenizerGolden.load()
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Fixtures.vocabulary, to: folder.appendingPathComponent("vocab.txt"))
        try write(golden.hubLayout.tokenizerConfig, to: folder.appendingPathComponent("tokenizer_config.json"))
        try write(golden.hubLayout.specialTokensMap, to: folder.appendingPathComponent("special_tokens_map.json"))
        let tokenizer = try BertTokenizer(directory: folder)
        #expect(tokenizer.configuration.modelMaxLength == 512)
        #expect(tokenizer.configuration.cleanUpTokenizationSpaces == false)
        try expectMatches(tokenizer, golden.encodings, golden.decodes)
    }

    @Test("transformers 5.23 layout: tokenizer.json + tokenizer_config.json, preferred over vocab.txt")
    func tokenizerJSONFolder() throws {
        let golden = try TokenizerGolden.load()
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lines = try String(contentsOf: Fixtures.vocabulary, encoding: .utf8).split(separator: "\n").map(String.init)
        var vocabulary: [String: Int] = [:]
        for (index, token) in lines.enumerated() { vocabulary[token] = index }
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].map { token in
            #"{"id":\#(vocabulary[token] ?? -1),"content":"\#(token)","single_word":false,"lstrip":false,"# +
                #""rstrip":false,"normalized":false,"special":true}"#
        }
        let vocabularyJSON = try String(decoding: JSONEncoder().encode(vocabulary), as: UTF8.self)
        try write(
            #"{"version":"1.0","added_tokens":[\#(specials.joined(separator: ","))],"# +
                #""model":{"type":"WordPiece","unk_token":"[UNK]","vocab":\#(vocabularyJSON)}}"#,
            to: folder.appendingPathComponent("tokenizer.json"))
        // As transformers 5.23 writes it, with its int(1e30) "no limit".
        try write(
            #"{"backend":"tokenizers","cls_token":"[CLS]","do_lower_case":true,"mask_token":"[MASK]","# +
                #""model_max_length":1000000000000000019884624838656,"pad_token":"[PAD]","sep_token":"[SEP]","# +
                #""strip_accents":null,"tokenize_chinese_chars":true,"tokenizer_class":"BertTokenizer","# +
                #""unk_token":"[UNK]"}"#,
            to: folder.appendingPathComponent("tokenizer_config.json"))
        // A vocab.txt that would break everything if it were read instead of tokenizer.json.
        try write("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n", to: folder.appendingPathComponent("vocab.txt"))
        let tokenizer = try BertTokenizer(directory: folder)
        #expect(tokenizer.vocabularySize == 30522)
        #expect(tokenizer.configuration.modelMaxLength == nil)
        try expectMatches(tokenizer, golden.encodings, golden.decodes)
    }

    @Test("tokenizer_config.json variants: lower-casing, strip_accents, CJK spacing, clean-up, added_tokens_decoder")
    func configurationVariants() throws {
        let golden = try TokenizerGolden.load()
        for variant in golden.variants {
            let folder = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.copyItem(at: Fixtures.vocabulary, to: folder.appendingPathComponent("vocab.txt"))
            try write(variant.tokenizerConfig, to: folder.appendingPathComponent("tokenizer_config.json"))
            try write(variant.specialTokensMap, to: folder.appendingPathComponent("special_tokens_map.json"))
            let mismatches = try expectMatches(BertTokenizer(directory: folder), variant.encodings, variant.decodes)
            #expect(mismatches == 0, "variant \(variant.tokenizerConfig)")
        }
    }

    @Test("Added tokens with lstrip, rstrip, single_word and normalized from a small tokenizer.json")
    func addedTokenFlags() throws {
        let small = try TokenizerGolden.load().smallTokenizerJson
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try write(small.tokenizerJson, to: folder.appendingPathComponent("tokenizer.json"))
        try write(small.tokenizerConfig, to: folder.appendingPathComponent("tokenizer_config.json"))
        try expectMatches(BertTokenizer(directory: folder), small.encodings, small.decodes)
    }

    @Test("vocab.txt quirks: CRLF and trailing whitespace trimmed, empty line kept, a repeated token keeps its last id")
    func quirkyVocabulary() throws {
        let quirky = try TokenizerGolden.load().quirkyVocabulary
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("vocab.txt")
        try write(quirky.vocabTxt, to: url)
        let tokenizer = try BertTokenizer(vocabularyFile: url)
        #expect(tokenizer.vocabularySize == quirky.vocabSize)
        for (id, token) in quirky.tokensById.enumerated() {
            if let token {
                #expect(try scalars(tokenizer.convertIdsToTokens([id])) == [scalars(token)])
            } else {
                // The reference returns None for such an id and silently drops it in decode; we report it.
                #expect(throws: TokenizerError.unknownTokenId(id, vocabularySize: quirky.vocabSize)) {
                    try tokenizer.decode([id])
                }
            }
        }
        try expectMatches(tokenizer, quirky.encodings, quirky.decodes)
    }

    @Test("Long inputs encode in linear time")
    func longInput() throws {
        let words = ["unaffable", String(repeating: "x", count: 101), "[MASK]", "中文", "café", "don't"]
        let text = (0..<30_000).map { words[$0 % words.count] }.joined(separator: " ")
        let clock = ContinuousClock()
        var ids: [Int] = []
        let elapsed = clock.measure { ids = bertVocabularyTokenizer.encode(text) }
        #expect(ids.count == 2 + 5_000 * (3 + 1 + 1 + 2 + 1 + 3))
        #expect(elapsed < .seconds(20), "\(text.unicodeScalars.count) scalars took \(elapsed)")
    }
}
