import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Why a request or its body failed.
public enum HTTPSessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection or no further bytes within the session's idle timeout, or the transfer outlasted its overall one.
    case timedOut
    /// The host could not be resolved or reached, or the connection broke.
    case connection(String)
    /// The response is not HTTP.
    case notHTTP
    /// The body is longer than the caller accepts.
    case bodyTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .timedOut: "timed out"
        case .connection(let reason): reason
        case .notHTTP: "the response is not an HTTP response"
        case .bodyTooLarge(let limit): "more than \(limit) bytes"
        }
    }

    /// The error a failed transfer stands for; nil for a cancellation (reported as `CancellationError`).
    init?(_ error: any Error) {
        guard let error = error as? URLError else {
            self = .connection(String(describing: error))
            return
        }
        switch error.code {
        case .cancelled: return nil
        case .timedOut: self = .timedOut
        default: self = .connection(error.localizedDescription)
        }
    }
}
