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

extension GITModel {
    /// Generates for `request` and yields the generated text in pieces as it is decided (the text after the
    /// prompt; joined, the pieces equal the result's ``GenerationResult/generatedText``). Greedy decoding or
    /// sampling of one sequence; cancelling the consuming task stops generation.
    ///
    /// - Throws (from the sequence): ``GenerationError`` as ``generate(_:options:)``, and
    ///   ``GenerationError/invalidOption(_:reason:)`` for beam search or several return sequences.
    public func textStream(_ request: GenerationRequest, options: GenerationOptions = .init()) -> AsyncThrowingStream<String, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task.detached { [self] in
                do {
                    guard var search = try search(for: request, settings: decodingSettings(options)) as? TokenSearch else {
                        throw GenerationError.invalidOption("num_beams", reason: "streaming decodes one sequence; beam search cannot stream")
                    }
                    guard search.settings.returnSequences == 1 else {
                        throw GenerationError.invalidOption("num_return_sequences", reason: "streaming decodes one sequence")
                    }
                    var text = TextDeltaDecoder(tokenizer: tokenizer)
                    search.onToken = { token in
                        try Task.checkCancellation()
                        if let piece = try text.append(token) { continuation.yield(piece) }
                    }
                    var searches: [any DecodingSearch] = [search]
                    try DecodingLoop(decoder: decoder).run(&searches, images: [request.image])
                    if let piece = try text.finish() { continuation.yield(piece) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
