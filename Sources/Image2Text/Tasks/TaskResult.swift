import Foundation

/// The result of one task, as the CLI's `--json` lines and the server's response bodies both carry it (keys sorted,
/// as ``json()`` writes them): the input's name, for generation the best sequence's fields at the top level and every returned sequence under
/// `sequences` when there are several, for classification the best label and the ranking, the timings, and the
/// server's `warnings` when there are any.
public struct TaskResult: Sendable, Equatable, Codable {
    /// One generated sequence.
    public struct Sequence: Sendable, Equatable, Codable {
        /// The whole sequence decoded, prompt included (for a question it begins with the question).
        public var text: String
        /// The whole sequence's ids, prompt included.
        public var ids: [Int]
        /// For a question: the generated text after it.
        public var answer: String?
        /// nil (JSON null) when not finite.
        public var score: Float?
        /// `eos` or `length` (``GenerationResult/FinishReason``).
        public var finishReason: String
        /// Each generated token's log-probability, when the task asked for them (``TaskItem/logProbabilityAlternatives``).
        public var tokenLogProbabilities: [TokenLogProbability]?

        public init(_ result: GenerationResult, isAnswer: Bool) {
            text = result.text
            ids = result.ids
            answer = isAnswer ? result.generatedText : nil
            score = result.score.isFinite ? result.score : nil
            finishReason = result.finishReason.rawValue
        }

        enum CodingKeys: String, CodingKey {
            case text, ids, answer, score, finishReason = "finish_reason", tokenLogProbabilities = "token_logprobs"
        }
    }

    /// One label's score in a classification.
    public struct LabelScore: Sendable, Equatable, Codable {
        public var label: String
        public var logProbability: Double
        public var probability: Double

        enum CodingKeys: String, CodingKey {
            case label, logProbability = "log_probability", probability
        }
    }

    /// Where the task's time went.
    public struct Timings: Sendable, Equatable, Codable {
        /// From joining the server's queue to its batch starting (nil outside the server).
        public var queueSeconds: Double?
        /// Reading and encoding this input: the vision tower and the image tokens' keys and values.
        public var encodeSeconds: Double
        /// The batch's decoding (or this input's label scoring).
        public var generateSeconds: Double
        /// Inputs decoded together with this one, itself included.
        public var batchSize: Int

        public init(queueSeconds: Double? = nil, encodeSeconds: Double, generateSeconds: Double, batchSize: Int) {
            self.queueSeconds = queueSeconds
            self.encodeSeconds = encodeSeconds
            self.generateSeconds = generateSeconds
            self.batchSize = batchSize
        }

        enum CodingKeys: String, CodingKey {
            case queueSeconds = "queue_seconds", encodeSeconds = "encode_seconds"
            case generateSeconds = "generate_seconds", batchSize = "batch_size"
        }
    }

    public enum Output: Sendable, Equatable {
        /// The returned sequences, best first, and the prompt they continue.
        case generation(sequences: [Sequence], promptIds: [Int])
        /// Every label, best first.
        case classification(ranking: [LabelScore])
    }

    /// How the input was named: its path, or the request's field or URL.
    public var input: String
    public var output: Output
    public var timings: Timings
    /// Options of the request that have no effect as given (``GenerationWarning``), in the server's responses; the CLI
    /// prints them once on standard error instead. Omitted from the JSON when empty.
    public var warnings: [String] = []

    public init(input: String, output: Output, timings: Timings) {
        self.input = input
        self.output = output
        self.timings = timings
    }

    public init(input: String, generated results: [GenerationResult], isAnswer: Bool, timings: Timings) {
        self.init(input: input, output: .generation(sequences: results.map { Sequence($0, isAnswer: isAnswer) },
                                                    promptIds: results[0].promptIds), timings: timings)
    }

    public init(input: String, classification: Classification, timings: Timings) {
        let ranking = classification.ranking.map {
            LabelScore(label: $0.label, logProbability: $0.logProbability, probability: $0.probability)
        }
        self.init(input: input, output: .classification(ranking: ranking), timings: timings)
    }

    /// Compact JSON with sorted keys: the CLI's `--json` line and the server's response body.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Gives each sequence of a generation its tokens' log-probabilities, in order.
    mutating func setTokenLogProbabilities(_ tokens: [[TokenLogProbability]]) {
        guard case .generation(var sequences, let promptIds) = output else { return }
        for index in sequences.indices { sequences[index].tokenLogProbabilities = tokens[index] }
        output = .generation(sequences: sequences, promptIds: promptIds)
    }

    /// The best sequence of a generation.
    public var best: Sequence? {
        if case .generation(let sequences, _) = output { sequences.first } else { nil }
    }

    enum CodingKeys: String, CodingKey {
        case input, text, ids, promptIds = "prompt_ids", answer, score, finishReason = "finish_reason"
        case tokenLogProbabilities = "token_logprobs", sequences
        case label, ranking, timings, warnings
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        switch output {
        case .generation(let sequences, let promptIds):
            let best = sequences[0]
            try container.encode(best.text, forKey: .text)
            try container.encode(best.ids, forKey: .ids)
            try container.encode(promptIds, forKey: .promptIds)
            try container.encodeIfPresent(best.answer, forKey: .answer)
            try container.encode(best.score, forKey: .score)
            try container.encode(best.finishReason, forKey: .finishReason)
            try container.encodeIfPresent(best.tokenLogProbabilities, forKey: .tokenLogProbabilities)
            if sequences.count > 1 { try container.encode(sequences, forKey: .sequences) }
        case .classification(let ranking):
            try container.encode(ranking[0].label, forKey: .label)
            try container.encode(ranking, forKey: .ranking)
        }
        try container.encode(timings, forKey: .timings)
        if !warnings.isEmpty { try container.encode(warnings, forKey: .warnings) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decode(String.self, forKey: .input)
        timings = try container.decode(Timings.self, forKey: .timings)
        warnings = try container.decodeIfPresent([String].self, forKey: .warnings) ?? []
        if let ranking = try container.decodeIfPresent([LabelScore].self, forKey: .ranking) {
            output = .classification(ranking: ranking)
            return
        }
        let best = try Sequence(from: decoder)
        let sequences = try container.decodeIfPresent([Sequence].self, forKey: .sequences) ?? [best]
        output = .generation(sequences: sequences, promptIds: try container.decode([Int].self, forKey: .promptIds))
    }
}
