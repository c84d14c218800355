import Foundation

/// The WordPiece vocabulary: token ↔ id.
///
/// Tokens are compared scalar by scalar, as Rust compares strings, never by Swift's canonical equivalence (which
/// would make "é" and "e\u{301}" the same key).
struct Vocabulary: Sendable {
    private let idsByToken: [[Unicode.Scalar]: Int]
    private let tokensById: [Int: String]

    /// Number of distinct tokens (`vocab_size` in transformers).
    var count: Int { idsByToken.count }

    /// Length in scalars of the longest token, which bounds the greedy WordPiece search.
    let longestToken: Int

    private init(idsByToken: [[Unicode.Scalar]: Int]) {
        self.idsByToken = idsByToken
        var tokensById: [Int: String] = [:]
        for (token, id) in idsByToken { tokensById[id] = String(String.UnicodeScalarView(token)) }
        self.tokensById = tokensById
        longestToken = idsByToken.keys.map(\.count).max() ?? 0
    }

    /// Reads `vocab.txt` as tokenizers' `WordPiece::read_file` does: one token per line, id = line index, trailing
    /// whitespace trimmed, a repeated token keeps its last line's id (its earlier ids then name no token).
    init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            if !FileManager.default.fileExists(atPath: url.path) { throw TokenizerError.missingVocabulary(url) }
            throw TokenizerError.unreadableVocabulary(url, reason: error.localizedDescription)
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var idsByToken: [[Unicode.Scalar]: Int] = [:]
        idsByToken.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            // Decoding replaces invalid bytes with U+FFFD, so the text re-encodes to other bytes.
            let text = String(decoding: line, as: UTF8.self)
            guard text.utf8.elementsEqual(line) else {
                throw TokenizerError.unreadableVocabulary(url, reason: "line \(index + 1) is not valid UTF-8")
            }
            var token = Array(text.unicodeScalars)
            while let last = token.last, BertCharacters.isWhitespace(last) { token.removeLast() }
            idsByToken[token] = index
        }
        guard !idsByToken.isEmpty else { throw TokenizerError.emptyVocabulary(url) }
        self.init(idsByToken: idsByToken)
    }

    /// The `model.vocab` object of a `tokenizer.json` (`file` is named in errors).
    init(tokenizerJSONVocabulary vocabulary: [String: Int], file: URL) throws {
        guard !vocabulary.isEmpty else { throw TokenizerError.emptyVocabulary(file) }
        var idsByToken: [[Unicode.Scalar]: Int] = [:]
        var tokensById: [Int: String] = [:]
        for (token, id) in vocabulary.sorted(by: { $0.value < $1.value }) {
            if let problem = TokenizerConfiguration.problem(withTokenId: id) {
                throw TokenizerError.invalidVocabularyEntry(file, token: token, id: id, reason: problem)
            }
            if let other = tokensById[id] {
                throw TokenizerError.invalidVocabularyEntry(
                    file, token: token, id: id, reason: "already used by '\(other)'")
            }
            tokensById[id] = token
            idsByToken[Array(token.unicodeScalars)] = id
        }
        self.init(idsByToken: idsByToken)
    }

    func id(of token: [Unicode.Scalar]) -> Int? { idsByToken[token] }

    func token(for id: Int) -> String? { tokensById[id] }
}
