/// One label's score in a ``Classification``.
public struct LabelScore: Sendable, Equatable {
    public let label: String
    /// The label's token ids (without special tokens).
    public let ids: [Int]
    /// log P(label ids, then [SEP] | image, prompt): the sum of the tokens' log-probabilities.
    public let logProbability: Double
    /// The label's share of the probability of all labels: `softmax` of the log-probabilities over the labels.
    public let probability: Double
}

/// Labels ranked by how likely the model is to generate each of them (then end the sequence).
public struct Classification: Sendable, Equatable {
    /// Every label, most likely first (ties keep the labels' order).
    public let ranking: [LabelScore]
    public var best: LabelScore { ranking[0] }
}
