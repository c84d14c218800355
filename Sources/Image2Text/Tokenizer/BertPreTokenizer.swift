/// Port of tokenizers' `BertPreTokenizer` (`tokenizers/src/pre_tokenizers/bert.rs`, 0.23.3): split on whitespace
/// (dropped), then make every punctuation scalar a word of its own. Empty words are dropped.
enum BertPreTokenizer {
    static func words(in text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var wordStart = 0
        for (index, scalar) in text.enumerated() {
            let isWhitespace = BertCharacters.isWhitespace(scalar)
            guard isWhitespace || BertCharacters.isPunctuation(scalar) else { continue }
            if wordStart < index { words.append(text[wordStart..<index]) }
            if !isWhitespace { words.append(text[index...index]) }
            wordStart = index + 1
        }
        if wordStart < text.count { words.append(text[wordStart...]) }
        return words
    }
}
