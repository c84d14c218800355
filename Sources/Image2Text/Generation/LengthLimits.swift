/// The length limits of one generation, in tokens of the whole sequence (prompt included), resolved the way
/// transformers 5.23's `_prepare_generated_length` does (docs/generation.md, "Length limits"), without overflow: a
/// limit past the end of the position table is kept (generation may stop earlier at [SEP]) but nothing is sized by it
/// beyond the table.
struct LengthLimits: Equatable {
    /// The sequence stops growing at this length; `Int.max` when the prompt plus `max_new_tokens` is larger.
    let maxLength: Int
    /// The end-of-sequence token is suppressed while the sequence is shorter than this.
    let minLength: Int
    let promptLength: Int
    /// Text positions in the model's table: a sequence cannot grow past this before it stops.
    let maxPositions: Int

    /// The most tokens one sequence feeds to the decoder, the size of its text cache: its last token is never fed,
    /// and feeding past the position table fails.
    var cacheCapacity: Int { min(maxLength - 1, maxPositions) }

    /// transformers fails with an `IndexError` when a sequence needs a text position beyond the table before
    /// reaching its end; stopping earlier at [SEP] is fine in both.
    var exceedsPositionTable: GenerationError {
        .exceedsPositionTable(maxLength: maxLength, promptLength: promptLength, positionLimit: maxPositions)
    }

    /// - Parameter options: resolved options, each within its range (``GenerationOptions/checkRanges(vocabularySize:)``).
    /// - Throws: ``GenerationError`` for a `max_length` that leaves no room after the prompt (transformers' error), and
    ///   for a prompt longer than the position table.
    init(options: GenerationOptions, promptLength: Int, maxPositions: Int) throws {
        self.promptLength = promptLength
        self.maxPositions = maxPositions
        if promptLength > maxPositions {
            throw GenerationError.promptTooLong(tokens: promptLength, positionLimit: maxPositions)
        }
        if let maxNewTokens = options.maxNewTokens {
            maxLength = Self.sum(promptLength, maxNewTokens)
        } else if let maxLength = options.maxLength {
            self.maxLength = maxLength
        } else {
            // transformers' model-agnostic default: 20 new tokens, capped by the position table.
            maxLength = min(promptLength + 20, maxPositions)
            if maxLength <= promptLength { throw GenerationError.promptTooLong(tokens: promptLength, positionLimit: maxPositions) }
        }
        guard maxLength > promptLength else {
            throw GenerationError.invalidOption(
                "max_length", reason: "\(maxLength) leaves no room after the \(promptLength)-token prompt; set max_new_tokens instead")
        }
        minLength = options.minNewTokens.map { Self.sum(promptLength, $0) } ?? options.minLength ?? 0
    }

    /// `a + b` for non-negative counts, `Int.max` when it would overflow (far past any position table).
    private static func sum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}
