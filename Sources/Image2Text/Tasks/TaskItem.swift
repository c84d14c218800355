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

    public init(name: String, task: Task, queueSeconds: Double? = nil, read: @escaping @Sendable () throws -> VisualInput) {
        self.name = name
        self.task = task
        self.queueSeconds = queueSeconds
        self.read = read
    }
}
