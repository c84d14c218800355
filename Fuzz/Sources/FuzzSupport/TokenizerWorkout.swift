import Image2Text

/// What the tokenizer targets do with a tokenizer that loaded: encode a fixed sentence (special tokens, accents,
/// CJK, punctuation) and `sample` (text taken from the input, so that its tokens meet the fuzzed vocabulary), then
/// decode what came out. Ids from `encode` must decode.
public enum TokenizerWorkout {
    static let sentence = "[CLS] A Héllo, wörld!! 你好 ##ing [MASK] un-believable\tcafé\u{301} [SEP] [PAD] [UNK]"

    public static func run(_ tokenizer: BertTokenizer, sample: String) {
        for text in [sentence, sample] {
            let ids = tokenizer.encode(text)
            precondition(ids.count == tokenizer.tokenize(text, addSpecialTokens: true).count)
            do {
                _ = try tokenizer.decode(ids)
                _ = try tokenizer.decode(ids, skipSpecialTokens: true)
            } catch {
                fatalError("ids from encode do not decode: \(error)")
            }
        }
        _ = try? tokenizer.decode(Array(0..<min(tokenizer.vocabularySize, 64)))
    }
}
