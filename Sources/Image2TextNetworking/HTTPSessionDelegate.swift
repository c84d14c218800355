import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// Routes the URL session's callbacks to the request each belongs to: the response to the caller waiting in
/// ``HTTPSession/send(_:)``, the body's chunks and its end to the response's ``HTTPBody``.
final class HTTPSessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private let exchanges = Mutex<[Int: Exchange]>([:])

    /// Registers `task` before it starts.
    func begin(_ task: URLSessionDataTask) -> Exchange {
        let exchange = Exchange(task: task)
        exchanges.withLock { $0[task.taskIdentifier] = exchange }
        return exchange
    }

    private func exchange(_ task: URLSessionTask) -> Exchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        exchange(dataTask)?.received(response)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        exchange(dataTask)?.received(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let exchange = exchanges.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        exchange?.completed(error)
    }
}

/// One request's state between the session's callbacks and its caller.
final class Exchange: Sendable {
    private struct Pending {
        var caller: CheckedContinuation<HTTPResponse, any Error>?
        /// Held only until the response hands it out, so that a body its reader drops ends the transfer.
        var chunks: AsyncThrowingStream<Data, any Error>?
    }

    private let task: URLSessionDataTask
    private let sink: AsyncThrowingStream<Data, any Error>.Continuation
    private let pending: Mutex<Pending>

    init(task: URLSessionDataTask) {
        self.task = task
        let (chunks, sink) = AsyncThrowingStream.makeStream(of: Data.self)
        self.sink = sink
        pending = Mutex(Pending(caller: nil, chunks: chunks))
        sink.onTermination = { [task] termination in
            if case .cancelled = termination { task.cancel() }
        }
    }

    func awaitResponse(_ continuation: CheckedContinuation<HTTPResponse, any Error>) {
        pending.withLock { $0.caller = continuation }
    }

    func received(_ response: URLResponse) {
        let (caller, chunks) = pending.withLock { state in (state.caller.take(), state.chunks.take()) }
        guard let caller else { return }
        guard let response = response as? HTTPURLResponse, let chunks else {
            caller.resume(throwing: HTTPSessionError.notHTTP)
            return
        }
        let url = response.url ?? task.originalRequest?.url ?? URL(fileURLWithPath: "/")
        caller.resume(returning: HTTPResponse(response, url: url, body: HTTPBody(chunks: chunks)))
    }

    func received(_ data: Data) {
        sink.yield(data)
    }

    func completed(_ error: (any Error)?) {
        var failure: (any Error)?
        if let error { failure = HTTPSessionError(error).map { $0 as any Error } ?? CancellationError() }
        // A request that failed before any response (no connection, a timeout) is reported to its caller.
        let caller = pending.withLock { state in
            state.chunks = nil
            return state.caller.take()
        }
        caller?.resume(throwing: failure ?? HTTPSessionError.connection("no response"))
        sink.finish(throwing: failure)
    }
}
