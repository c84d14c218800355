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
    /// The ids after the prompt.
    public var generatedIds: ArraySlice<Int> { ids[promptIds.count...] }
    /// The whole sequence decoded without special tokens (transformers' `batch_decode(..., skip_special_tokens=True)`);
    /// for a question it begins with the question.
    public let text: String
    /// The ids after the prompt decoded without special tokens: the caption, or the answer to a question.
    public let generatedText: String
    public let finishReason: FinishReason
}
