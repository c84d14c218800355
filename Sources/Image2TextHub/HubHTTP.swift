import Foundation
import Image2TextNetworking

/// One repository's HTTP conversation with the hub: the token header, redirects (the hub sends LFS files to a CDN),
/// timeouts, and statuses turned into ``HubError``s. Redirects are followed here, so that metadata requests can stop
/// at the hub's own answer (which carries `X-Repo-Commit` and `X-Linked-Etag`) and the token is not sent to another
/// host.
struct HubHTTP {
    let repository: HubRepositoryID
    let token: String?
    /// Listing and metadata requests: connection and read timeouts of `HF_HUB_ETAG_TIMEOUT`.
    private let metadataSession: HTTPSession
    /// Downloads: connection and read timeouts of `HF_HUB_DOWNLOAD_TIMEOUT` (a read timeout bounds each wait for the
    /// next bytes, so a large file may take as long as it needs).
    private let downloadSession: HTTPSession

    /// What a request is for, which sets its timeouts.
    enum Purpose {
        case metadata
        case download
    }

    /// Sessions for `repository` with the token and timeouts of `environment`; ``shutdown()`` when done.
    init(repository: HubRepositoryID, environment: HubEnvironment) {
        self.repository = repository
        token = environment.token
        metadataSession = HTTPSession(idleTimeout: environment.metadataTimeout)
        downloadSession = HTTPSession(idleTimeout: environment.downloadTimeout)
    }

    /// Releases both sessions.
    func shutdown() {
        metadataSession.close()
        downloadSession.close()
    }

    /// Redirects to follow.
    enum Redirects {
        /// Only redirects within the same host (a renamed repository); stop at one to another host, as
        /// huggingface_hub's `HEAD` does, and return that response.
        case sameHostOnly
        /// Every redirect.
        case all
    }

    static let maxRedirects = 10

    /// Sends a request and follows redirects as `redirects` says; the token goes with it (if `sendToken`) until a
    /// redirect leaves the host. Throws ``HubError/network`` when the connection fails, ``HubError/timedOut`` when
    /// `purpose`'s timeout passes.
    func send(_ method: String, _ url: String, headers: [(String, String)] = [], redirects: Redirects,
              sendToken: Bool = true, purpose: Purpose) async throws -> HTTPResponse {
        var current = url
        var includeToken = sendToken
        for _ in 0...Self.maxRedirects {
            guard let target = URL(string: current) else {
                throw HubError.invalidResponse(repository: repository.description, url: url, reason: "not a URL: \(current)")
            }
            var requestHeaders = [("User-Agent", "image2text")]
            if includeToken, let token { requestHeaders.append(("Authorization", "Bearer \(token)")) }
            requestHeaders += headers
            let response: HTTPResponse
            do {
                // No overall deadline: the sessions' connection and read timeouts bound every wait, as in huggingface_hub.
                response = try await session(for: purpose).send(method, target, headers: requestHeaders)
            } catch {
                throw failure(error, url: current, purpose: purpose)
            }
            guard (300..<400).contains(response.status), let location = response.header("Location"),
                  let next = URL(string: location, relativeTo: target)?.absoluteURL
            else { return response }
            let sameHost = next.host == target.host && next.port == target.port
            if !sameHost && redirects == .sameHostOnly { return response }
            try? await response.body.drain()
            includeToken = includeToken && sameHost
            current = next.absoluteString
        }
        throw HubError.invalidResponse(repository: repository.description, url: url, reason: "more than \(Self.maxRedirects) redirects")
    }

    private func session(for purpose: Purpose) -> HTTPSession {
        purpose == .metadata ? metadataSession : downloadSession
    }

    /// The ``HubError`` for a request or a response body that failed: ``HubError/timedOut`` naming the variable
    /// whose timeout passed, else ``HubError/network``.
    func failure(_ error: any Error, url: String, purpose: Purpose) -> HubError {
        if let error = error as? HubError { return error }
        guard case .timedOut? = error as? HTTPSessionError else {
            return .network(repository: repository.description, url: url, reason: String(describing: error))
        }
        let seconds = session(for: purpose).idleTimeout
        return purpose == .metadata
            ? .timedOut(repository: repository.description, url: url, seconds: seconds, variable: "HF_HUB_ETAG_TIMEOUT")
            : .timedOut(repository: repository.description, url: url, seconds: seconds, variable: "HF_HUB_DOWNLOAD_TIMEOUT")
    }

    /// Throws the ``HubError`` for a 4xx/5xx status; `notFound` is the error a 404 means here.
    func check(_ reply: HTTPResponse, notFound: @autoclosure () -> HubError) throws {
        switch reply.status {
        case 200..<400: return
        case 401, 403: throw HubError.unauthorized(repository: repository.description, url: reply.url.absoluteString, status: reply.status)
        case 404: throw notFound()
        default: throw HubError.unexpectedStatus(repository: repository.description, url: reply.url.absoluteString, status: reply.status)
        }
    }

    /// The hub's path escaping of one path segment (a revision such as `refs/pr/1` → `refs%2Fpr%2F1`).
    static func escapeSegment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// RFC 3986's unreserved characters.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// A file path escaped segment by segment, keeping its `/`.
    static func escapePath(_ value: String) -> String {
        value.split(separator: "/", omittingEmptySubsequences: false).map { escapeSegment(String($0)) }.joined(separator: "/")
    }
}
