/// One token of an encoding: its id and its text (a vocabulary entry, or the matched text of an added token).
struct EncodedToken: Equatable, Sendable {
    let id: Int
    let value: String
}

/// Port of tokenizers' WordPiece model (`tokenizers/src/models/wordpiece/mod.rs`, 0.23.3) with transformers'
/// `BertTokenizer` settings: prefix "##", at most 100 scalars per word. Greedy longest-prefix match; continuation
/// pieces carry the prefix; a word longer than the limit, or with any position that no entry matches, becomes the
/// unknown token as a whole.
struct WordpieceModel: Sendable {
    static let continuingSubwordPrefix: [Unicode.Scalar] = ["#", "#"]
    static let maxInputCharsPerWord = 100

    let vocabulary: Vocabulary
    let unknownToken: String
    let unknownTokenId: Int

    func tokenize(_ word: ArraySlice<Unicode.Scalar>, into tokens: inout [EncodedToken]) {
        guard word.count <= Self.maxInputCharsPerWord else {
            tokens.append(EncodedToken(id: unknownTokenId, value: unknownToken))
            return
        }
        var pieces: [EncodedToken] = []
        var start = word.startIndex
        while start < word.endIndex {
            let isFirst = start == word.startIndex
            // No entry is longer than `longestToken` scalars, so longer candidates need no lookup.
            let longest = vocabulary.longestToken - (isFirst ? 0 : Self.continuingSubwordPrefix.count)
            var end = min(word.endIndex, start + max(longest, 0))
            var match: EncodedToken?
            while start < end {
                let candidate = isFirst ? Array(word[start..<end]) : Self.continuingSubwordPrefix + word[start..<end]
                if let id = vocabulary.id(of: candidate) {
                    match = EncodedToken(id: id, value: String(String.UnicodeScalarView(candidate)))
                    break
                }
                end -= 1
            }
            guard let match else {
                tokens.append(EncodedToken(id: unknownTokenId, value: unknownToken))
                return
            }
            pieces.append(match)
            start = end
        }
        tokens += pieces
    }
}
