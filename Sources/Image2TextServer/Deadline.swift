import NIOCore
import NIOPosix

/// `operation`'s result, or `onTimeout()`'s error once `limit` has passed: the operation is then cancelled, and
/// awaited before the error is thrown.
///
/// The timer is a task scheduled on an event loop, removed (and freed) the moment the operation ends. A child task
/// sleeping for `limit` would also do, but a cancelled `Task.sleep` keeps its memory until the time it would have
/// woken: about 650 bytes a request, held for the whole request timeout.
func withDeadline<T: Sendable>(
    _ limit: Duration, on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any(),
    _ operation: @escaping @Sendable () async throws -> T, onTimeout: @escaping @Sendable () -> any Error
) async throws -> T {
    let expired = Flag()
    let task = Task(operation: operation)
    let timer = eventLoop.scheduleTask(in: TimeAmount(limit)) {
        expired.set()
        task.cancel()
    }
    let result = await withTaskCancellationHandler { await task.result } onCancel: { task.cancel() }
    timer.cancel()
    if expired.isSet { throw onTimeout() }
    return try result.get()
}
