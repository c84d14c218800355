/// How to generate, with transformers' `generate()` names (spec §5). A nil field takes the checkpoint's
/// `generation_config.json` value, else transformers 5.23's default.
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

    /// `early_stopping` of beam search.
    public enum EarlyStopping: String, Sendable, Equatable, Decodable {
        /// `False`: stop when the best running beam, at its current length, cannot beat the worst finished one.
        case heuristic = "false"
        /// `True`: stop as soon as `numBeams` hypotheses have finished.
        case whenComplete = "true"
        /// `"never"`: stop only when no running beam could beat a finished one even at the longest length.
        case never

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = flag ? .whenComplete : .heuristic
            } else if try container.decode(String.self) == "never" {
                self = .never
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected true, false or \"never\"")
            }
        }
    }

    /// How beam search scores hypotheses.
    public enum BeamScoring: String, Sendable, Equatable {
        /// transformers 5.23: log-probability / generated length ^ `length_penalty`.
        case transformers
        /// The original GIT repository's decoder (spec §5.6), with which the paper's numbers were produced.
        case paper
    }

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

    /// The decoding the GIT paper's numbers were produced with (spec §5.6): beam search with 4 beams and the original
    /// repository's GNMT length penalty 0.6.
    public static let paper = GenerationOptions(numBeams: 4, lengthPenalty: 0.6, beamScoring: .paper)
}
