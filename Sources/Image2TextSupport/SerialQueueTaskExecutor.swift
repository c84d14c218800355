import Dispatch

/// A task executor that runs jobs one after another on a serial dispatch queue, which the system gives a thread of its
/// own: work preferring it never waits for the cooperative pool, whose threads (one per core) blocking callers or
/// long computations may hold.
@available(macOS 15.0, *)
public final class SerialQueueTaskExecutor: TaskExecutor {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
