/// One input and every task to run on it (a question file's questions about one image): the input is read and
/// encoded once, and each task uses the same image tokens.
public struct TaskGroup: Sendable {
    /// How results and errors name the input.
    public var name: String
    public var tasks: [TaskItem.Task]
    /// Reads the input; timed as part of encoding it.
    public var read: @Sendable () throws -> VisualInput
    /// Seconds the input waited before its batch started (the server's queue).
    public var queueSeconds: Double?
    /// The group's generated text in pieces as it is decided (``TaskItem/onText``; a group of one task streams it).
    public var onText: (@Sendable (String) -> Void)?
    /// When set, each generated sequence carries its tokens' log-probabilities with this many alternatives per token
    /// (``TaskItem/logProbabilityAlternatives``).
    public var logProbabilityAlternatives: Int?

    public init(name: String, tasks: [TaskItem.Task], queueSeconds: Double? = nil, onText: (@Sendable (String) -> Void)? = nil,
                logProbabilityAlternatives: Int? = nil, read: @escaping @Sendable () throws -> VisualInput) {
        self.name = name
        self.tasks = tasks
        self.queueSeconds = queueSeconds
        self.onText = onText
        self.logProbabilityAlternatives = logProbabilityAlternatives
        self.read = read
    }

    /// The group of one item.
    public init(_ item: TaskItem) {
        self.init(name: item.name, tasks: [item.task], queueSeconds: item.queueSeconds, onText: item.onText,
                  logProbabilityAlternatives: item.logProbabilityAlternatives, read: item.read)
    }
}
