import NIOCore
import NIOPosix

/// `operation`'s result, or `onTimeout()`'s error once `limit` has passed: the operation is then cancelled, and
/// awaited before the error is thrown.
///
/// The operation runs as a child task, so it keeps the caller's executor. The timer is a task scheduled on an event
/// loop, removed (and freed) the moment the operation ends: a cancelled `Task.sleep` would keep its memory until the
/// time it would have woken, about 650 bytes a request held for the whole request timeout.
func withDeadline<T: Sendable>(
    _ limit: Duration, on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any(),
    _ operation: @escaping @Sendable () async throws -> T, onTimeout: @escaping @Sendable () -> any Error
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            let timer = eventLoop.scheduleTask(in: TimeAmount(limit)) {}
            try await withTaskCancellationHandler { try await timer.futureResult.get() } onCancel: { timer.cancel() }
            return nil
        }
        // The first child to finish decides; the other is cancelled, and the group awaits it.
        let first = try await group.next()!
        group.cancelAll()
        guard let value = first else { throw onTimeout() }
        return value
    }
}
