/// One input of a batch and what to do with it.
public struct TaskItem: Sendable {
    public enum Task: Sendable {
        /// A caption (no question) or the answer to a question.
        case generate(question: String?)
        /// Every label ranked by how likely the model is to generate it.
        case classify(labels: [String], question: String?)
    }

    /// How results and errors name the input.
    public var name: String
    public var task: Task
    /// Reads the input; timed as part of encoding it. The server reads an upload before it joins a batch, the CLI
    /// a file when its batch runs.
    public var read: @Sendable () throws -> VisualInput
    /// Seconds the input waited before its batch started (the server's queue).
    public var queueSeconds: Double?
    /// A generation's text in pieces as it is decided (``GenerationRequest/onText``, greedy decoding or sampling of one
    /// sequence), on the decoding thread. When the batch fails and each input is decoded alone to find the one at
    /// fault, the input is decoded again without streaming: the result then holds the whole text.
    public var onText: (@Sendable (String) -> Void)?
    /// When set, each generated sequence carries its tokens' log-probabilities
    /// (``TaskResult/Sequence/tokenLogProbabilities``) with this many most likely alternatives per token.
    public var logProbabilityAlternatives: Int?

    public init(name: String, task: Task, queueSeconds: Double? = nil, onText: (@Sendable (String) -> Void)? = nil,
                logProbabilityAlternatives: Int? = nil, read: @escaping @Sendable () throws -> VisualInput) {
        self.name = name
        self.task = task
        self.queueSeconds = queueSeconds
        self.onText = onText
        self.logProbabilityAlternatives = logProbabilityAlternatives
        self.read = read
    }
}
