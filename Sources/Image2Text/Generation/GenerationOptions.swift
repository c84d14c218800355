/// How to generate, with transformers' `generate()` names (spec §5.1). A nil field takes the checkpoint's
/// `generation_config.json` value, else transformers 5.23's default.
public struct GenerationOptions: Sendable, Equatable {
    /// Most tokens to generate after the prompt (`max_new_tokens`). Wins over `maxLength` when both are set.
    public var maxNewTokens: Int?
    /// Most tokens in the whole sequence, prompt included (`max_length`). With neither limit set, 5.23 generates up
    /// to 20 new tokens, within the position table.
    public var maxLength: Int?
    /// Fewest tokens to generate before the end-of-sequence token is allowed (`min_new_tokens`).
    public var minNewTokens: Int?
    /// Fewest tokens in the whole sequence before the end-of-sequence token is allowed (`min_length`).
    public var minLength: Int?

    public init(maxNewTokens: Int? = nil, maxLength: Int? = nil, minNewTokens: Int? = nil, minLength: Int? = nil) {
        self.maxNewTokens = maxNewTokens
        self.maxLength = maxLength
        self.minNewTokens = minNewTokens
        self.minLength = minLength
    }
}

/// The length limits of one generation, in tokens of the whole sequence (prompt included), resolved the way
/// transformers 5.23's `_prepare_generated_length` does.
struct LengthLimits: Equatable {
    /// The sequence stops growing at this length.
    let maxLength: Int
    /// The end-of-sequence token is suppressed while the sequence is shorter than this.
    let minLength: Int

    /// - Throws: ``GenerationError`` for values transformers rejects, and for a prompt longer than the position
    ///   table.
    init(options: GenerationOptions, defaults: GenerationConfig, promptLength: Int, maxPositions: Int) throws {
        for (name, value) in [("max_new_tokens", options.maxNewTokens), ("max_length", options.maxLength),
                              ("min_new_tokens", options.minNewTokens), ("min_length", options.minLength)] {
            if let value, value < 0 { throw GenerationError.invalidOption(name, reason: "must not be negative, got \(value)") }
        }
        if promptLength > maxPositions {
            throw GenerationError.promptTooLong(tokens: promptLength, positionLimit: maxPositions)
        }
        let maxNewTokens = options.maxNewTokens ?? defaults.maxNewTokens
        let explicitMaxLength = options.maxLength ?? defaults.maxLength
        if let maxNewTokens {
            guard maxNewTokens > 0 else { throw GenerationError.invalidOption("max_new_tokens", reason: "must be greater than 0") }
            maxLength = promptLength + maxNewTokens
        } else if let explicitMaxLength {
            maxLength = explicitMaxLength
        } else {
            // transformers' model-agnostic default: 20 new tokens, capped by the position table.
            maxLength = min(promptLength + 20, maxPositions)
            if maxLength <= promptLength { throw GenerationError.promptTooLong(tokens: promptLength, positionLimit: maxPositions) }
        }
        guard maxLength > promptLength else {
            throw GenerationError.invalidOption(
                "max_length", reason: "\(maxLength) leaves no room after the \(promptLength)-token prompt; set max_new_tokens instead")
        }
        if let minNewTokens = options.minNewTokens ?? defaults.minNewTokens {
            minLength = promptLength + minNewTokens
        } else {
            minLength = options.minLength ?? defaults.minLength ?? 0
        }
    }
}

extension GenerationConfig {
    /// Throws for settings under which transformers would not decode greedily without processors.
    func checkGreedyOnly() throws {
        func refuse(_ key: String, _ value: CustomStringConvertible) -> GenerationError { .unsupportedSetting(key: key, value: value.description) }
        if let numBeams, numBeams > 1 { throw refuse("num_beams", numBeams) }
        if doSample == true { throw refuse("do_sample", true) }
        if let repetitionPenalty, repetitionPenalty != 1 { throw refuse("repetition_penalty", repetitionPenalty) }
        if let noRepeatNgramSize, noRepeatNgramSize > 0 { throw refuse("no_repeat_ngram_size", noRepeatNgramSize) }
    }
}
