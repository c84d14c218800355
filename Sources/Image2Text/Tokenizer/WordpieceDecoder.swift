/// Port of tokenizers' WordPiece decoder (`tokenizers/src/decoders/wordpiece.rs`, 0.23.3, prefix "##",
/// cleanup on) and of transformers 5.23's `clean_up_tokenization`.
///
/// Every token after the first loses a leading "##" or gains a leading space; the cleanup then runs on each token by
/// itself (not on the joined text), so "a man ' s" keeps its spaces while " ." becomes ".". All matching is scalar
/// by scalar, as Rust's `str::replace`, not by Swift's canonical equivalence.
enum WordpieceDecoder {
    private typealias Replacement = (pattern: [Unicode.Scalar], replacement: [Unicode.Scalar])

    private static func replacements(_ pairs: [(String, String)]) -> [Replacement] {
        pairs.map { (Array($0.0.unicodeScalars), Array($0.1.unicodeScalars)) }
    }

    /// `cleanup` of the WordPiece decoder, in its order.
    private static let tokenCleanup = replacements([
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ])

    /// transformers' `clean_up_tokenization` (the same list without " do not").
    private static let transformersCleanup = replacements([
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ])

    static func decode(_ tokens: [String], cleanUpTokenizationSpaces: Bool) -> String {
        var text: [Unicode.Scalar] = []
        for (index, token) in tokens.enumerated() {
            var piece = Array(token.unicodeScalars)
            if index > 0 {
                if piece.starts(with: WordpieceModel.continuingSubwordPrefix) {
                    piece.removeFirst(WordpieceModel.continuingSubwordPrefix.count)
                } else {
                    piece.insert(" ", at: 0)
                }
            }
            text += apply(tokenCleanup, to: piece)
        }
        if cleanUpTokenizationSpaces { text = apply(transformersCleanup, to: text) }
        return String(String.UnicodeScalarView(text))
    }

    private static func apply(_ replacements: [Replacement], to scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        replacements.reduce(scalars) { replacingOccurrences(in: $0, of: $1.pattern, with: $1.replacement) }
    }

    /// Left-to-right, non-overlapping, like `str::replace`.
    private static func replacingOccurrences(
        in scalars: [Unicode.Scalar], of pattern: [Unicode.Scalar], with replacement: [Unicode.Scalar]
    ) -> [Unicode.Scalar] {
        guard scalars.count >= pattern.count else { return scalars }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            if scalars[index...].starts(with: pattern) {
                result += replacement
                index += pattern.count
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return result
    }
}
