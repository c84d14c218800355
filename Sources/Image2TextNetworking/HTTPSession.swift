import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP(S) requests through Foundation's URL loading system (libcurl and the system's OpenSSL on Linux, the system's
/// own stack on macOS), so the package builds no TLS or HTTP/2 stack of its own. Redirects are never followed here:
/// a 3xx comes back as the response, and the caller decides (the hub client stops at the CDN; the server's URL fetcher
/// refuses to leave its allow-list). Bodies are streamed as they arrive. Proxies follow the usual `https_proxy`,
/// `http_proxy` and `no_proxy` variables.
public final class HTTPSession: Sendable {
    private let session: URLSession
    private let delegate: HTTPSessionDelegate
    /// The longest wait for the connection or for the next bytes of a response.
    public let idleTimeout: TimeInterval

    /// A session whose requests fail with ``HTTPSessionError/timedOut`` after `idleTimeout` seconds without progress,
    /// or after `transferTimeout` seconds in all (nil: no overall limit). Close it with ``close()``.
    public init(idleTimeout: TimeInterval, transferTimeout: TimeInterval? = nil) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeout
        configuration.timeoutIntervalForResource = transferTimeout ?? .greatestFiniteMagnitude
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.idleTimeout = idleTimeout
        delegate = HTTPSessionDelegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    /// Sends a request and returns as soon as the status and headers have arrived; the body follows in the
    /// response's ``HTTPResponse/body``. Cancelling the calling task cancels the transfer.
    public func send(_ method: String = "GET", _ url: URL, headers: [(String, String)] = []) async throws
        -> HTTPResponse {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let task = session.dataTask(with: request)
        let exchange = delegate.begin(task)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.awaitResponse(continuation)
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    /// Lets transfers under way finish, then releases the session.
    public func close() {
        session.finishTasksAndInvalidate()
    }
}
