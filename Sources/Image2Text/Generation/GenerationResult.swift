/// One generated sequence.
public struct GenerationResult: Sendable, Equatable {
    /// Why generation stopped.
    public enum FinishReason: String, Sendable, Equatable {
        /// The model produced an end-of-sequence token (it is the last id).
        case endOfSequence = "eos"
        /// The sequence reached its maximum length.
        case maxLength = "length"
    }

    /// The whole sequence, prompt included, as transformers' `generate()` returns it.
    public let ids: [Int]
    /// The prompt: `[CLS]` for a caption, `[CLS]` + question ids for a question.
    public let promptIds: [Int]
    /// The generated ids after the prompt, without the padding beam search adds after a shorter sequence.
    public var generatedIds: ArraySlice<Int> { ids[promptIds.count..<promptIds.count + generatedCount] }
    let generatedCount: Int
    /// The whole sequence decoded without special tokens (transformers' `batch_decode(..., skip_special_tokens=True)`);
    /// for a question it begins with the question.
    public let text: String
    /// The ids after the prompt decoded without special tokens: the caption, or the answer to a question.
    public let generatedText: String
    /// The sum of the generated tokens' log-probabilities (after the logits processors) divided by the number of
    /// generated tokens raised to `length_penalty`: transformers' `sequences_scores` for beam search, and the same
    /// measure for greedy decoding and sampling.
    public let score: Float
    public let finishReason: FinishReason
}

/// A prompt and the image it is about, one item of a batch.
public struct GenerationRequest: Sendable {
    public var promptIds: [Int]
    public var image: ImageContext
    /// Called, on the decoding thread, with pieces of the generated text as they are decided (joined, they equal the
    /// result's ``GenerationResult/generatedText``). Only greedy decoding and sampling of one sequence stream; other
    /// options are refused. An error it throws stops the whole batch with that error.
    public var onText: (@Sendable (String) throws -> Void)?

    public init(promptIds: [Int], image: ImageContext, onText: (@Sendable (String) throws -> Void)? = nil) {
        self.promptIds = promptIds
        self.image = image
        self.onText = onText
    }
}
