import Image2Text

/// The JSON of `/v1/caption` and `/v1/answer`: the best sequence's fields at the top level, as the CLI's `--json`
/// lines have them, every returned sequence under `sequences` when there are several, and the timings.
struct GenerationResponse: Encodable {
    struct Sequence: Encodable {
        let text: String
        let ids: [Int]
        let answer: String?
        /// nil (JSON null) when not finite.
        let score: Float?
        let finishReason: String

        init(_ result: GenerationResult, isAnswer: Bool) {
            text = result.text
            ids = result.ids
            answer = isAnswer ? result.generatedText : nil
            score = result.score.isFinite ? result.score : nil
            finishReason = result.finishReason.rawValue
        }

        enum CodingKeys: String, CodingKey {
            case text, ids, answer, score, finishReason = "finish_reason"
        }
    }

    let best: Sequence
    let promptIds: [Int]
    let sequences: [Sequence]?
    let timings: InferenceTimings

    init(_ results: [GenerationResult], isAnswer: Bool, timings: InferenceTimings) {
        let all = results.map { Sequence($0, isAnswer: isAnswer) }
        best = all[0]
        promptIds = results[0].promptIds
        sequences = all.count > 1 ? all : nil
        self.timings = timings
    }

    enum CodingKeys: String, CodingKey {
        case promptIds = "prompt_ids", sequences, timings
    }

    func encode(to encoder: any Encoder) throws {
        try best.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptIds, forKey: .promptIds)
        try container.encodeIfPresent(sequences, forKey: .sequences)
        try container.encode(timings, forKey: .timings)
    }
}

/// The JSON of `/v1/classify`: the best label and every label's score, best first.
struct ClassificationResponse: Encodable {
    struct Score: Encodable {
        let label: String
        let logProbability: Double
        let probability: Double

        enum CodingKeys: String, CodingKey {
            case label, logProbability = "log_probability", probability
        }
    }

    let label: String
    let ranking: [Score]
    let timings: InferenceTimings

    init(_ classification: Classification, timings: InferenceTimings) {
        label = classification.best.label
        ranking = classification.ranking.map { Score(label: $0.label, logProbability: $0.logProbability, probability: $0.probability) }
        self.timings = timings
    }
}

/// The JSON of `GET /health`.
struct HealthResponse: Encodable {
    let status: String
    let model: String
    let queueDepth: Int
    let inFlight: Int

    enum CodingKeys: String, CodingKey {
        case status, model, queueDepth = "queue_depth", inFlight = "in_flight"
    }
}
