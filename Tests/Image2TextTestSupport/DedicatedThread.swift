import Image2TextSupport

/// Runs `operation` with its tasks, and the structured tasks they start, on a thread of its own instead of the
/// cooperative pool. The model suites running alongside keep that pool's threads busy for seconds at a time; a test
/// that measures timeouts or drives a server would otherwise wait for them.
public func onDedicatedThread<T>(_ operation: () async throws -> T) async throws -> T {
    guard #available(macOS 15.0, *) else { return try await operation() }
    return try await withTaskExecutorPreference(SerialQueueTaskExecutor(label: "image2text.tests.dedicated")) {
        try await operation()
    }
}
