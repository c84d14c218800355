/// How to generate, with transformers' `generate()` names. A nil field takes the checkpoint's `generation_config.json`
/// value, else transformers 5.23's default (docs/generation.md). Each field is an entry of ``GenerationOption/all``,
/// the one list every front end reads options by.
public struct GenerationOptions: Sendable, Equatable {
    // MARK: Length
    /// Most tokens to generate after the prompt (`max_new_tokens`). Wins over `maxLength` when both are set.
    public var maxNewTokens: Int?
    /// Most tokens in the whole sequence, prompt included (`max_length`). With neither limit set, 5.23 generates up
    /// to 20 new tokens, within the position table. In a batch it counts each sequence's own prompt (transformers
    /// counts the left padding too).
    public var maxLength: Int?
    /// Fewest tokens to generate before the end-of-sequence token is allowed (`min_new_tokens`).
    public var minNewTokens: Int?
    /// Fewest tokens in the whole sequence before the end-of-sequence token is allowed (`min_length`).
    public var minLength: Int?

    // MARK: Beam search
    /// Beams per prompt (`num_beams`); 1 decodes greedily or samples.
    public var numBeams: Int?
    /// Sequences returned per prompt (`num_return_sequences`): at most `numBeams` with beam search; any number of
    /// independent draws with sampling; 1 for greedy decoding.
    public var numReturnSequences: Int?
    /// The exponent of the generated length that divides a finished beam's log-probability (`length_penalty`).
    public var lengthPenalty: Double?
    /// When beam search stops (`early_stopping`).
    public var earlyStopping: EarlyStopping?
    /// How beam hypotheses are scored: transformers' (default) or the GIT paper's GNMT length normalisation.
    public var beamScoring: BeamScoring?

    // MARK: Sampling
    /// Draw each token from the processed distribution instead of taking the most likely one (`do_sample`).
    public var doSample: Bool?
    /// Divides the logits before sampling (`temperature`, > 0).
    public var temperature: Double?
    /// Keeps the `k` most likely tokens when sampling (`top_k`; 0 keeps all).
    public var topK: Int?
    /// Keeps the smallest set of most likely tokens whose probability reaches `p` when sampling (`top_p`, in (0, 1]).
    public var topP: Double?
    /// The seed of the sampler's random number generator; the same seed gives the same draws. Nil draws one seed per
    /// call, used by every request of a batch.
    public var seed: UInt64?

    // MARK: Constraints (greedy, sampling and beam search)
    /// Scales down the scores of tokens already in the sequence, prompt included (`repetition_penalty`, > 0).
    public var repetitionPenalty: Double?
    /// Forbids repeating any n-gram of this size (`no_repeat_ngram_size`).
    public var noRepeatNgramSize: Int?
    /// Token sequences that must not be generated (`bad_words_ids`).
    public var badWordsIds: [[Int]]?

    public init(maxNewTokens: Int? = nil, maxLength: Int? = nil, minNewTokens: Int? = nil, minLength: Int? = nil,
                numBeams: Int? = nil, numReturnSequences: Int? = nil, lengthPenalty: Double? = nil,
                earlyStopping: EarlyStopping? = nil, beamScoring: BeamScoring? = nil,
                doSample: Bool? = nil, temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil, seed: UInt64? = nil,
                repetitionPenalty: Double? = nil, noRepeatNgramSize: Int? = nil, badWordsIds: [[Int]]? = nil) {
        self.maxNewTokens = maxNewTokens
        self.maxLength = maxLength
        self.minNewTokens = minNewTokens
        self.minLength = minLength
        self.numBeams = numBeams
        self.numReturnSequences = numReturnSequences
        self.lengthPenalty = lengthPenalty
        self.earlyStopping = earlyStopping
        self.beamScoring = beamScoring
        self.doSample = doSample
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.repetitionPenalty = repetitionPenalty
        self.noRepeatNgramSize = noRepeatNgramSize
        self.badWordsIds = badWordsIds
    }

    /// The decoding the GIT paper's numbers were produced with: beam search with 4 beams and the original repository's
    /// GNMT length penalty 0.6 (docs/generation.md, "The paper's beam search").
    public static let paper = GenerationOptions(numBeams: 4, lengthPenalty: 0.6, beamScoring: .paper)
}

extension GenerationOption {
    /// Most beams (`num_beams`) and returned sequences (`num_return_sequences`) per prompt. Each is a decoder row at
    /// every step with a text cache of its own; transformers has no such cap.
    public static let maximumSequences = 256

    /// Every field of ``GenerationOptions``, in the order `--help` and the OpenAPI document list them.
    public static let all: [GenerationOption] = [
        GenerationOption("max_new_tokens", .integer(\.maxNewTokens), .integer(1...Int.max),
                         "Most tokens to generate after the prompt (wins over max_length)."),
        GenerationOption("max_length", .integer(\.maxLength), .integer(1...Int.max),
                         "Most tokens in the whole sequence, prompt included."),
        GenerationOption("min_new_tokens", .integer(\.minNewTokens), .integer(0...Int.max),
                         "Fewest tokens to generate before the end-of-sequence token is allowed."),
        GenerationOption("min_length", .integer(\.minLength), .integer(0...Int.max),
                         "Fewest tokens in the whole sequence before the end-of-sequence token is allowed."),
        GenerationOption("num_beams", .integer(\.numBeams), .integer(1...maximumSequences),
                         "Beam search with this many beams (1 = greedy or sampling)."),
        GenerationOption("num_return_sequences", .integer(\.numReturnSequences), .integer(1...maximumSequences),
                         "Sequences to return per input: at most num_beams with beam search, any number with sampling."),
        GenerationOption("length_penalty", .number(\.lengthPenalty), .number(.exponent),
                         "Exponent of the generated length dividing a finished beam's log-probability."),
        GenerationOption("early_stopping", .earlyStopping, .choice(GenerationOptions.EarlyStopping.allCases.map(\.rawValue)),
                         "When beam search stops: true, false or never."),
        GenerationOption("beam_scoring", .beamScoring, .choice(GenerationOptions.BeamScoring.allCases.map(\.rawValue)),
                         isConfigKey: false,
                         "How beams are scored: transformers' length penalty, or the GIT paper's GNMT normalisation."),
        GenerationOption("do_sample", .flag(\.doSample), .flag,
                         "Sample each token instead of taking the most likely one."),
        GenerationOption("temperature", .number(\.temperature), .number(.positiveFloat32),
                         "Divides the logits before sampling."),
        GenerationOption("top_k", .integer(\.topK), .integer(0...Int.max),
                         "Sample among the k most likely tokens (0 = all)."),
        GenerationOption("top_p", .number(\.topP), .number(.probability),
                         "Sample within the most likely tokens of total probability p."),
        GenerationOption("seed", .seed, .seed, isConfigKey: false,
                         "Seed of the sampler; the same seed gives the same samples."),
        GenerationOption("repetition_penalty", .number(\.repetitionPenalty), .number(.positiveFloat32),
                         "Penalise tokens already in the sequence, prompt included (1 = none)."),
        GenerationOption("no_repeat_ngram_size", .integer(\.noRepeatNgramSize), .integer(0...Int.max),
                         "Never repeat an n-gram of this size."),
        GenerationOption("bad_words_ids", .badWords, .tokenLists, frontEndName: "bad_words",
                         "Words or phrases never to generate (token id lists in generation_config.json)."),
    ]
}

extension GenerationOptions {
    /// Throws for the first option set to a value outside its own range. How options combine, and the lengths against
    /// a prompt, are checked by ``DecodingSettings`` and ``LengthLimits``.
    func checkRanges(vocabularySize: Int) throws(GenerationOption.InvalidValue) {
        for option in GenerationOption.all { try option.checkRange(in: self, vocabularySize: vocabularySize) }
    }

    /// These options, with those not set taken from `defaults`.
    func overriding(_ defaults: GenerationOptions) -> GenerationOptions {
        var merged = self
        for option in GenerationOption.all where !option.isSet(in: self) { option.copy(from: defaults, into: &merged) }
        return merged
    }
}
