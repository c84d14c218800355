extension GenerationOptions {
    /// How beam search scores hypotheses.
    public enum BeamScoring: String, Sendable, Equatable, CaseIterable {
        /// transformers 5.23: log-probability / generated length ^ `length_penalty`.
        case transformers
        /// The original GIT repository's decoder, with which the paper's numbers were produced
        /// (docs/generation.md, "The paper's beam search").
        case paper
    }
}
