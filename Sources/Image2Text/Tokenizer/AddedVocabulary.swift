import Foundation

/// A token matched in the text before normalization and WordPiece, as tokenizers' `AddedToken`.
struct AddedToken: Sendable, Equatable {
    let content: [Unicode.Scalar]
    let id: Int
    /// Matches only where no word character touches it.
    let singleWord: Bool
    /// Takes the whitespace on its left into the match.
    let lstrip: Bool
    /// Takes the whitespace on its right into the match.
    let rstrip: Bool
    /// Matches the normalized text (with normalized content) instead of the raw text.
    let normalized: Bool
    /// Removed by `decode(skipSpecialTokens: true)`.
    let special: Bool
}

/// Port of tokenizers' `AddedVocabulary` (`tokenizers/src/tokenizer/added_vocabulary.rs`, 0.23.3): added and
/// special tokens are cut out of the text before the normalizer (non-normalized ones, on the raw text) or right
/// after it (normalized ones, on the normalized text), leftmost-longest, exact and case-sensitive.
struct AddedVocabulary: Sendable {
    /// A piece of text: either still to be tokenized, or an added token already matched.
    enum Segment {
        case text(ArraySlice<Unicode.Scalar>)
        case token(EncodedToken)
    }

    /// Patterns by first scalar, longest first, so that the first hit at a position is the longest match.
    private typealias PatternIndex = [Unicode.Scalar: [(pattern: [Unicode.Scalar], token: AddedToken)]]

    private let rawPatterns: PatternIndex
    private let normalizedPatterns: PatternIndex
    private let idsByContent: [[Unicode.Scalar]: Int]
    /// What `decode` prints for an added id; a normalized token prints its normalized content, as the reference does.
    private let textsById: [Int: String]
    private let specialContents: Set<[Unicode.Scalar]>

    /// Resolves the added tokens of the checkpoint files and the named special tokens of the configuration.
    ///
    /// - Parameters:
    ///   - fileTokens: `added_tokens_decoder` or `tokenizer.json`'s `added_tokens`; a missing `special` means false.
    ///   - specialTokens: the named special tokens, always special; one that is not among `fileTokens` takes its id
    ///     from the vocabulary.
    ///   - source: the vocabulary file, named in errors.
    init(
        fileTokens: [AddedTokenValue], specialTokens: [SpecialTokenRole: AddedTokenValue],
        vocabulary: Vocabulary, normalizer: BertNormalizer, source: URL
    ) throws {
        var tokens: [AddedToken] = []
        for value in fileTokens {
            let content = Array(value.content.unicodeScalars)
            guard let id = value.id ?? vocabulary.id(of: content) else {
                throw TokenizerError.missingSpecialToken(source, role: "added token", token: value.content)
            }
            if let problem = TokenizerConfiguration.problem(withTokenId: id) {
                throw TokenizerError.invalidVocabularyEntry(source, token: value.content, id: id, reason: problem)
            }
            let special = value.special ?? false
            tokens.append(AddedToken(
                content: content, id: id, singleWord: value.singleWord ?? false, lstrip: value.lstrip ?? false,
                rstrip: value.rstrip ?? false, normalized: value.normalized ?? !special, special: special))
        }
        for role in SpecialTokenRole.allCases {
            let value = specialTokens[role] ?? AddedTokenValue(content: role.defaultContent)
            let content = Array(value.content.unicodeScalars)
            if let index = tokens.firstIndex(where: { $0.content == content }) {
                let token = tokens[index]
                tokens[index] = AddedToken(
                    content: content, id: token.id, singleWord: token.singleWord, lstrip: token.lstrip,
                    rstrip: token.rstrip, normalized: token.normalized, special: true)
                continue
            }
            guard let id = vocabulary.id(of: content) else {
                throw TokenizerError.missingSpecialToken(source, role: role.rawValue, token: value.content)
            }
            tokens.append(AddedToken(
                content: content, id: id, singleWord: value.singleWord ?? false, lstrip: value.lstrip ?? false,
                rstrip: value.rstrip ?? false, normalized: value.normalized ?? false, special: true))
        }
        self.init(tokens: tokens, normalizer: normalizer)
    }

    init(tokens: [AddedToken], normalizer: BertNormalizer) {
        var rawPatterns: PatternIndex = [:]
        var normalizedPatterns: PatternIndex = [:]
        var idsByContent: [[Unicode.Scalar]: Int] = [:]
        var textsById: [Int: String] = [:]
        var specialContents: Set<[Unicode.Scalar]> = []
        for token in tokens where !token.content.isEmpty {
            let pattern = token.normalized ? normalizer.normalize(token.content) : token.content
            idsByContent[token.content] = token.id
            textsById[token.id] = String(String.UnicodeScalarView(pattern))
            if token.special { specialContents.insert(token.content) }
            guard let first = pattern.first else { continue }
            if token.normalized {
                normalizedPatterns[first, default: []].append((pattern, token))
            } else {
                rawPatterns[first, default: []].append((pattern, token))
            }
        }
        for key in rawPatterns.keys { rawPatterns[key]?.sort { $0.pattern.count > $1.pattern.count } }
        for key in normalizedPatterns.keys { normalizedPatterns[key]?.sort { $0.pattern.count > $1.pattern.count } }
        self.rawPatterns = rawPatterns
        self.normalizedPatterns = normalizedPatterns
        self.idsByContent = idsByContent
        self.textsById = textsById
        self.specialContents = specialContents
    }

    func id(of content: [Unicode.Scalar]) -> Int? { idsByContent[content] }

    func text(for id: Int) -> String? { textsById[id] }

    func isSpecial(_ token: String) -> Bool { specialContents.contains(Array(token.unicodeScalars)) }

    /// Cuts the non-normalized tokens out of raw text.
    func splitRaw(_ text: ArraySlice<Unicode.Scalar>) -> [Segment] { split(text, patterns: rawPatterns) }

    /// Cuts the normalized tokens out of normalized text.
    func splitNormalized(_ text: ArraySlice<Unicode.Scalar>) -> [Segment] { split(text, patterns: normalizedPatterns) }

    /// `AddedVocabulary::find_matches`: non-overlapping leftmost-longest matches; a `single_word` match touching a
    /// word character is skipped, `lstrip`/`rstrip` widen a match over neighbouring whitespace.
    private func split(_ text: ArraySlice<Unicode.Scalar>, patterns: PatternIndex) -> [Segment] {
        guard !patterns.isEmpty else { return [.text(text)] }
        var segments: [Segment] = []
        var segmentStart = text.startIndex
        var position = text.startIndex
        while position < text.endIndex {
            guard let match = longestMatch(in: text, at: position, patterns: patterns) else {
                position += 1
                continue
            }
            var start = position
            var stop = position + match.pattern.count
            position = stop
            let token = match.token
            if token.singleWord {
                let spaceBefore = start == text.startIndex || !BertCharacters.isWordCharacter(text[start - 1])
                let spaceAfter = stop == text.endIndex || !BertCharacters.isWordCharacter(text[stop])
                if !spaceBefore || !spaceAfter { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > text.startIndex && BertCharacters.isWhitespace(text[newStart - 1]) { newStart -= 1 }
                start = max(newStart, segmentStart)
            }
            if token.rstrip {
                while stop < text.endIndex && BertCharacters.isWhitespace(text[stop]) { stop += 1 }
                position = stop
            }
            if segmentStart < start { segments.append(.text(text[segmentStart..<start])) }
            let value = String(String.UnicodeScalarView(text[start..<stop]))
            segments.append(.token(EncodedToken(id: token.id, value: value)))
            segmentStart = stop
        }
        if segmentStart < text.endIndex || segments.isEmpty { segments.append(.text(text[segmentStart...])) }
        return segments
    }

    private func longestMatch(
        in text: ArraySlice<Unicode.Scalar>, at position: Int, patterns: PatternIndex
    ) -> (pattern: [Unicode.Scalar], token: AddedToken)? {
        guard let candidates = patterns[text[position]] else { return nil }
        let remaining = text[position...]
        return candidates.first { remaining.starts(with: $0.pattern) }
    }
}
