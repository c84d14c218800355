/// Turns generated ids, one at a time, into pieces of text whose concatenation is the decoded text of all of them.
///
/// A piece is released only up to the last space of the text decoded so far: a WordPiece `##` continuation joins
/// the word before it, and the tokenizer's clean-up (" ." → ".", " ' s" → "'s", …) only ever removes the space
/// before the newest token, so text before the last space no longer changes.
struct TextDeltaDecoder {
    let tokenizer: BertTokenizer
    private var ids: [Int] = []
    private var released = ""

    init(tokenizer: BertTokenizer) {
        self.tokenizer = tokenizer
    }

    /// Adds `id`; returns the text that became final, if any.
    mutating func append(_ id: Int) throws -> String? {
        ids.append(id)
        let text = try tokenizer.decode(ids, skipSpecialTokens: true)
        guard let lastSpace = text.lastIndex(of: " ") else { return nil }
        return release(String(text[..<lastSpace]))
    }

    /// The rest of the text once generation has ended.
    mutating func finish() throws -> String? {
        release(try tokenizer.decode(ids, skipSpecialTokens: true))
    }

    private mutating func release(_ stable: String) -> String? {
        guard stable.count > released.count, stable.hasPrefix(released) else { return nil }
        let piece = String(stable.dropFirst(released.count))
        released = stable
        return piece
    }
}
