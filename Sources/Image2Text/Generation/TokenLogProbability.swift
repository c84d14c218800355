/// A generated token's log-probability under the model's own next-token distribution (the log-softmax of the logits,
/// before any logits processor, warper or temperature), with the most likely tokens at its position.
public struct TokenLogProbability: Sendable, Equatable, Codable {
    /// A token and its log-probability.
    public struct Candidate: Sendable, Equatable, Codable {
        public var id: Int
        public var logProbability: Float

        public init(id: Int, logProbability: Float) {
            self.id = id
            self.logProbability = logProbability
        }

        enum CodingKeys: String, CodingKey {
            case id, logProbability = "logprob"
        }
    }

    /// The generated token.
    public var token: Candidate
    /// The most likely tokens at this position, most likely first (the lower id first on ties); as many as asked.
    public var alternatives: [Candidate]

    public init(token: Candidate, alternatives: [Candidate]) {
        self.token = token
        self.alternatives = alternatives
    }
}
