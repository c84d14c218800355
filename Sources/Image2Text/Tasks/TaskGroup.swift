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

    public init(name: String, tasks: [TaskItem.Task], queueSeconds: Double? = nil, read: @escaping @Sendable () throws -> VisualInput) {
        self.name = name
        self.tasks = tasks
        self.queueSeconds = queueSeconds
        self.read = read
    }

    /// The group of one item.
    public init(_ item: TaskItem) {
        self.init(name: item.name, tasks: [item.task], queueSeconds: item.queueSeconds, read: item.read)
    }
}
