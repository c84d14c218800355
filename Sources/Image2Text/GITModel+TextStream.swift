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
                    var streamed = request
                    streamed.onText = { piece in
                        try Task.checkCancellation()
                        continuation.yield(piece)
                    }
                    _ = try generate([streamed], options: options)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
