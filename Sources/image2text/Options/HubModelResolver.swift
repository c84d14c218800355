import Dispatch
import Foundation
import Image2TextHub
import Image2TextSupport

/// Resolves `--model ORG/NAME` to a snapshot folder for the synchronous ``ModelOptions/directory()``, which both
/// synchronous and async commands call: the download runs as a task and the caller's thread waits for it.
enum HubModelResolver {
    /// The snapshot folder of `repository` at `revision`, downloaded into the huggingface_hub cache if needed, with a
    /// progress bar on standard error when it is a terminal.
    static func snapshot(of repository: HubRepositoryID, revision: String, client: HubClient) throws -> URL {
        let progress = DownloadProgressBar.forTerminal()
        return try BlockingTask.run { try await client.snapshot(of: repository, revision: revision, progress: progress) }
    }
}

/// Runs async work to completion from synchronous code. Where task executors exist, the task runs on a serial
/// queue of its own, so that it never needs a thread of the cooperative pool the waiting caller may be blocking.
private enum BlockingTask {
    static func run<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let body: @Sendable () async -> Void = {
            do { outcome.set(.success(try await operation())) } catch { outcome.set(.failure(error)) }
        }
        if #available(macOS 15.0, *) {
            Task.detached(executorPreference: SerialQueueTaskExecutor(label: "image2text.hub-download"), operation: body)
        } else {
            Task.detached(operation: body)
        }
        return try outcome.wait()
    }

    /// The task's result, handed from the task to the waiting thread.
    private final class Outcome<T: Sendable>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: Result<T, any Error>?

        func set(_ result: Result<T, any Error>) {
            self.result = result
            done.signal()
        }

        func wait() throws -> T {
            done.wait()
            // `set` ran before `signal`, which happens before `wait` returns.
            guard let result else { preconditionFailure("signalled without a result") }
            return try result.get()
        }
    }
}
