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
