/// The decoding of one `generate` call: the options merged with the checkpoint's generation config and
/// transformers' defaults (docs/generation.md, "Where options come from"), checked once for every prompt. This is the one
/// place where options are merged.
struct DecodingSettings: Sendable {
    enum Strategy: Sendable, Equatable {
        /// The most likely token at every step.
        case greedy
        /// A token drawn from the processed distribution at every step.
        case sample
        /// transformers' beam search, or the paper's when `scoring` is `.paper`; with `sampled`, candidates are drawn
        /// instead of taken best first (transformers' beam sampling).
        case beam(beams: Int, sampled: Bool)
    }

    let strategy: Strategy
    let returnSequences: Int
    let lengthPenalty: Double
    let earlyStopping: GenerationOptions.EarlyStopping
    let scoring: GenerationOptions.BeamScoring
    let processors: LogitsProcessors
    let warpers: SamplingWarpers
    let seed: UInt64
    let endOfSequence: [Int]
    /// What beam search writes after a finished hypothesis: `pad_token_id or eos_token_id`, i.e. [SEP] for GIT,
    /// whose pad id 0 is falsy in Python (docs/generation.md, "Beam fill token").
    let beamFill: Int
    /// The options over the generation config's; their lengths are resolved against a prompt by ``limits(promptLength:maxPositions:)``.
    let options: GenerationOptions

    /// - Throws: ``GenerationError/invalidOption(_:reason:)`` naming the first option outside its range
    ///   (``GenerationOptions/checkRanges(vocabularySize:)``) or in a combination transformers refuses.
    init(options: GenerationOptions, config: GenerationConfig, endOfSequence: [Int], vocabularySize: Int) throws {
        func invalid(_ name: String, _ reason: String) -> GenerationError { .invalidOption(name, reason: reason) }
        let options = options.overriding(config.options)
        do {
            try options.checkRanges(vocabularySize: vocabularySize)
        } catch {
            throw invalid(error.name, error.reason)
        }
        let beams = options.numBeams ?? 1
        let sampling = options.doSample ?? false
        scoring = options.beamScoring ?? .transformers
        if scoring == .paper {
            guard beams > 1, !sampling else { throw invalid("beam_scoring", "the paper's decoding is beam search: set num_beams > 1 and no sampling") }
        }
        strategy = beams > 1 ? .beam(beams: beams, sampled: sampling) : sampling ? .sample : .greedy

        returnSequences = options.numReturnSequences ?? 1
        if strategy == .greedy, returnSequences > 1 {
            throw invalid("num_return_sequences", "greedy decoding returns one sequence; set num_beams or do_sample for \(returnSequences)")
        }
        if beams > 1, returnSequences > beams {
            throw invalid("num_return_sequences", "\(returnSequences) is more than num_beams (\(beams))")
        }

        lengthPenalty = options.lengthPenalty ?? (scoring == .paper ? 0.6 : 1)
        earlyStopping = options.earlyStopping ?? .heuristic
        warpers = SamplingWarpers(temperature: Float(options.temperature ?? 1), topK: options.topK ?? 50, topP: options.topP ?? 1,
                                  minTokensToKeep: beams > 1 ? endOfSequence.count + 1 : 1)
        seed = options.seed ?? UInt64.random(in: .min ... .max)
        processors = LogitsProcessors(repetitionPenalty: options.repetitionPenalty ?? 1, noRepeatNgramSize: options.noRepeatNgramSize ?? 0,
                                      badWordsIds: options.badWordsIds ?? [], endOfSequence: endOfSequence)
        self.endOfSequence = endOfSequence
        beamFill = (config.padTokenId ?? 0) != 0 ? config.padTokenId! : endOfSequence.first ?? 0
        self.options = options
    }

    /// The paper's decoding runs to the end of the position table unless a limit is given (the original's
    /// `max_steps` is 1024, git-base's table); its limit counts the final [SEP].
    func limits(promptLength: Int, maxPositions: Int) throws -> LengthLimits {
        var options = options
        if scoring == .paper, options.maxNewTokens == nil, options.maxLength == nil {
            options.maxLength = maxPositions
        }
        return try LengthLimits(options: options, promptLength: promptLength, maxPositions: maxPositions)
    }
}
