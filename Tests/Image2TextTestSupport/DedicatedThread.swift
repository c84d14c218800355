import Dispatch

/// Runs `operation` with its tasks, and the structured tasks they start, on a thread of its own instead of the
/// cooperative pool. The model suites running alongside keep that pool's threads (one per core) busy for seconds at a
/// time; a test that measures timeouts or drives a server would otherwise wait for them.
public func onDedicatedThread<T>(_ operation: () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(DedicatedThreadExecutor()) { try await operation() }
}

/// A task executor backed by a serial dispatch queue, which the system gives a thread of its own.
final class DedicatedThreadExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "image2text.tests.dedicated")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
