/// A request the model cannot run: every case names the option or input at fault.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// A generation option outside its range, by its transformers name.
    case invalidOption(String, reason: String)
    /// A question that tokenizes to nothing.
    case emptyQuestion
    /// Classification without labels.
    case emptyLabelList
    /// A classification label that tokenizes to nothing.
    case labelWithoutTokens(String)
    /// A prompt with more tokens than the text position table holds.
    case promptTooLong(tokens: Int, positionLimit: Int)
    /// A sequence that grew to the end of the text position table before reaching its length limit or [SEP].
    case exceedsPositionTable(maxLength: Int, promptLength: Int, positionLimit: Int)
    /// A prompt token id outside the vocabulary.
    case tokenOutOfVocabulary(id: Int, vocabularySize: Int)
    /// Pixel values that are not `[num_channels, height, width]` (`expected` keeps their height and width).
    case pixelValuesShape(expected: [Int], actual: [Int])
    /// Pixel values less than one patch (`vision_config.patch_size`) high or wide.
    case pixelValuesSmallerThanPatch(height: Int, width: Int, patchSize: Int)
    /// An image context made by a model of a different shape.
    case foreignImageContext
    /// Video frames for a checkpoint without temporal embeddings (`num_image_with_embedding` is null).
    case notAVideoModel
    /// A frame count outside 1…`supported`, the checkpoint's `num_image_with_embedding`.
    case frameCount(Int, supported: Int)

    public var description: String {
        switch self {
        case .invalidOption(let name, let reason): "\(name): \(reason)"
        case .emptyQuestion: "question: the question is empty (it has no tokens)"
        case .emptyLabelList: "labels: the label list is empty"
        case .labelWithoutTokens(let label): "labels: the label \"\(label)\" has no tokens"
        case .promptTooLong(let tokens, let limit):
            "question: the prompt has \(tokens) tokens ([CLS] + question) but the model's text position table "
                + "(max_position_embeddings) holds \(limit), and generating needs at least one more"
        case .exceedsPositionTable(let maxLength, let promptLength, let limit):
            "max_new_tokens: the sequence reached the end of the model's text position table "
                + "(max_position_embeddings \(limit)) before [SEP] or its limit of \(maxLength) tokens; with this "
                + "\(promptLength)-token prompt use max_new_tokens ≤ \(limit + 1 - promptLength)"
        case .tokenOutOfVocabulary(let id, let size): "input_ids: id \(id) is outside the vocabulary of \(size)"
        case .pixelValuesShape(let expected, let actual):
            "pixel_values: the vision tower takes shape \(expected), got \(actual)"
        case .pixelValuesSmallerThanPatch(let height, let width, let patch):
            "pixel_values: a \(height)×\(width) image is smaller than one \(patch)×\(patch) patch "
                + "(vision_config.patch_size); height and width must be at least \(patch)"
        case .foreignImageContext: "image context: it was encoded by a model of a different shape"
        case .notAVideoModel:
            "frames: this checkpoint reads single images (num_image_with_embedding is null), not video frames"
        case .frameCount(let count, let supported):
            "frames: \(count) frames requested; this checkpoint has temporal embeddings for 1 to \(supported)"
        }
    }
}
