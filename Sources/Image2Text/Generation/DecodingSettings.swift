/// The decoding of one `generate` call: the options merged with the checkpoint's generation config and
/// transformers' defaults (spec §5.1), checked once for every prompt.
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
    /// whose pad id 0 is falsy in Python (spec §5.4, quirk 8).
    let beamFill: Int
    /// Options are still checked against a prompt's length by ``LengthLimits``.
    let options: GenerationOptions
    let config: GenerationConfig

    /// - Throws: ``GenerationError/invalidOption(_:reason:)`` naming the first option outside its range.
    init(options: GenerationOptions, config: GenerationConfig, endOfSequence: [Int], vocabularySize: Int) throws {
        func invalid(_ name: String, _ reason: String) -> GenerationError { .invalidOption(name, reason: reason) }
        let beams = options.numBeams ?? config.numBeams ?? 1
        guard beams >= 1 else { throw invalid("num_beams", "must be at least 1, got \(beams)") }
        let sampling = options.doSample ?? config.doSample ?? false
        scoring = options.beamScoring ?? .transformers
        if scoring == .paper {
            guard beams > 1, !sampling else { throw invalid("beam_scoring", "the paper's decoding is beam search: set num_beams > 1 and no sampling") }
        }
        strategy = beams > 1 ? .beam(beams: beams, sampled: sampling) : sampling ? .sample : .greedy

        returnSequences = options.numReturnSequences ?? config.numReturnSequences ?? 1
        guard returnSequences >= 1 else { throw invalid("num_return_sequences", "must be at least 1, got \(returnSequences)") }
        if strategy == .greedy, returnSequences > 1 {
            throw invalid("num_return_sequences", "greedy decoding returns one sequence; set num_beams or do_sample for \(returnSequences)")
        }
        if beams > 1, returnSequences > beams {
            throw invalid("num_return_sequences", "\(returnSequences) is more than num_beams (\(beams))")
        }

        lengthPenalty = options.lengthPenalty ?? config.lengthPenalty ?? (scoring == .paper ? 0.6 : 1)
        guard lengthPenalty.isFinite else { throw invalid("length_penalty", "must be a finite number") }
        earlyStopping = options.earlyStopping ?? config.earlyStopping ?? .heuristic

        let temperature = options.temperature ?? config.temperature ?? 1
        guard temperature > 0, temperature.isFinite else { throw invalid("temperature", "must be a positive number, got \(temperature)") }
        let topK = options.topK ?? config.topK ?? 50
        guard topK >= 0 else { throw invalid("top_k", "must not be negative, got \(topK)") }
        let topP = options.topP ?? config.topP ?? 1
        guard topP > 0, topP <= 1 else { throw invalid("top_p", "must be in (0, 1], got \(topP)") }
        warpers = SamplingWarpers(temperature: Float(temperature), topK: topK, topP: topP,
                                  minTokensToKeep: beams > 1 ? endOfSequence.count + 1 : 1)
        seed = options.seed ?? UInt64.random(in: .min ... .max)

        let penalty = options.repetitionPenalty ?? config.repetitionPenalty ?? 1
        guard penalty > 0, penalty.isFinite else { throw invalid("repetition_penalty", "must be a positive number, got \(penalty)") }
        let ngram = options.noRepeatNgramSize ?? config.noRepeatNgramSize ?? 0
        guard ngram >= 0 else { throw invalid("no_repeat_ngram_size", "must not be negative, got \(ngram)") }
        let badWords = options.badWordsIds ?? config.badWordsIds ?? []
        if options.badWordsIds != nil || config.badWordsIds != nil {
            guard !badWords.isEmpty, badWords.allSatisfy({ !$0.isEmpty }) else {
                throw invalid("bad_words_ids", "must be a non-empty list of non-empty token id lists")
            }
            if let bad = badWords.joined().first(where: { !(0..<vocabularySize).contains($0) }) {
                throw invalid("bad_words_ids", "id \(bad) is outside the vocabulary of \(vocabularySize)")
            }
        }
        processors = LogitsProcessors(repetitionPenalty: penalty, noRepeatNgramSize: ngram, badWordsIds: badWords,
                                      endOfSequence: endOfSequence)
        self.endOfSequence = endOfSequence
        beamFill = (config.padTokenId ?? 0) != 0 ? config.padTokenId! : endOfSequence.first ?? 0
        self.options = options
        self.config = config
    }

    /// The paper's decoding runs to the end of the position table unless a limit is given (the original's
    /// `max_steps` is 1024, git-base's table); its limit counts the final [SEP].
    func limits(promptLength: Int, maxPositions: Int) throws -> LengthLimits {
        var options = options
        if scoring == .paper, [options.maxNewTokens, options.maxLength, config.maxNewTokens, config.maxLength].allSatisfy({ $0 == nil }) {
            options.maxLength = maxPositions
        }
        return try LengthLimits(options: options, defaults: config, promptLength: promptLength, maxPositions: maxPositions)
    }
}
