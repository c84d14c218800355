extension GenerationOptions {
    /// `early_stopping` of beam search.
    public enum EarlyStopping: String, Sendable, Equatable, CaseIterable, Decodable {
        /// `False`: stop when the best running beam, at its current length, cannot beat the worst finished one.
        case heuristic = "false"
        /// `True`: stop as soon as `numBeams` hypotheses have finished.
        case whenComplete = "true"
        /// `"never"`: stop only when no running beam could beat a finished one even at the longest length.
        case never

        /// transformers takes a boolean or the text "never".
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
}
