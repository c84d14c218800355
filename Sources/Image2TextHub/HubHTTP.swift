import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One repository's HTTP conversation with the hub: the token header, redirects (the hub sends LFS files to a CDN),
/// timeouts, and statuses turned into ``HubError``s. Redirects are followed here rather than by the client, so that
/// metadata requests can stop at the hub's own answer (which carries `X-Repo-Commit` and `X-Linked-Etag`) and the
/// token is not sent to another host.
struct HubHTTP {
    let repository: HubRepositoryID
    let token: String?
    /// Listing and metadata requests: connect and read timeouts of `HF_HUB_ETAG_TIMEOUT`.
    private let metadataClient: HTTPClient
    /// Downloads: connect and read timeouts of `HF_HUB_DOWNLOAD_TIMEOUT` (a read timeout bounds each wait for the
    /// next bytes, so a large file may take as long as it needs).
    private let downloadClient: HTTPClient
    private let metadataTimeout: TimeInterval
    private let downloadTimeout: TimeInterval

    /// What a request is for, which sets its timeouts.
    enum Purpose {
        case metadata
        case download
    }

    /// Clients for `repository` with the token and timeouts of `environment`; ``shutdown()`` when done.
    init(repository: HubRepositoryID, environment: HubEnvironment) {
        func client(timeout seconds: TimeInterval) -> HTTPClient {
            let timeout = TimeAmount.nanoseconds(Int64(seconds * 1e9))
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout = .init(connect: timeout, read: timeout)
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        self.repository = repository
        token = environment.token
        metadataTimeout = environment.metadataTimeout
        downloadTimeout = environment.downloadTimeout
        metadataClient = client(timeout: metadataTimeout)
        downloadClient = client(timeout: downloadTimeout)
    }

    /// Closes both clients' connections.
    func shutdown() async throws {
        try await metadataClient.shutdown()
        try await downloadClient.shutdown()
    }

    /// Redirects to follow.
    enum Redirects {
        /// Only redirects within the same host (a renamed repository); stop at one to another host, as
        /// huggingface_hub's `HEAD` does, and return that response.
        case sameHostOnly
        /// Every redirect.
        case all
    }

    /// A response and the URL that gave it.
    struct Reply {
        var response: HTTPClientResponse
        var url: String
        var status: Int { Int(response.status.code) }

        /// The first value of a header.
        func header(_ name: String) -> String? { response.headers.first(name: name) }
    }

    static let maxRedirects = 10

    /// Sends a request and follows redirects as `redirects` says; the token goes with it (if `sendToken`) until a
    /// redirect leaves the host. Throws ``HubError/network`` when the connection fails, ``HubError/timedOut`` when
    /// `purpose`'s timeout passes.
    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], redirects: Redirects,
              sendToken: Bool = true, purpose: Purpose) async throws -> Reply {
        var current = url
        var includeToken = sendToken
        for _ in 0...Self.maxRedirects {
            var request = HTTPClientRequest(url: current)
            request.method = method
            request.headers.add(name: "User-Agent", value: "image2text")
            if includeToken, let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response: HTTPClientResponse
            do {
                let client = purpose == .metadata ? metadataClient : downloadClient
                // No overall deadline: the clients' connect and read timeouts bound every wait, as in huggingface_hub.
                response = try await client.execute(request, deadline: .distantFuture)
            } catch {
                throw failure(error, url: current, purpose: purpose)
            }
            guard (300..<400).contains(response.status.code), let location = response.headers.first(name: "Location"),
                  let base = URL(string: current), let target = URL(string: location, relativeTo: base)?.absoluteURL
            else { return Reply(response: response, url: current) }
            let sameHost = target.host == base.host && target.port == base.port
            if !sameHost && redirects == .sameHostOnly { return Reply(response: response, url: current) }
            try await response.body.drain()
            includeToken = includeToken && sameHost
            current = target.absoluteString
        }
        throw HubError.invalidResponse(repository: repository.description, url: url, reason: "more than \(Self.maxRedirects) redirects")
    }

    /// The ``HubError`` for a request or a response body that failed: ``HubError/timedOut`` naming the variable
    /// whose timeout passed, else ``HubError/network``.
    func failure(_ error: any Error, url: String, purpose: Purpose) -> HubError {
        if let error = error as? HubError { return error }
        let timeouts: [HTTPClientError] = [.connectTimeout, .readTimeout]
        let timedOut: Bool
        if let error = error as? HTTPClientError {
            timedOut = timeouts.contains(error)
        } else if case .connectTimeout? = error as? ChannelError {
            timedOut = true
        } else {
            timedOut = false
        }
        guard timedOut else {
            return .network(repository: repository.description, url: url, reason: String(describing: error))
        }
        return purpose == .metadata
            ? .timedOut(repository: repository.description, url: url, seconds: metadataTimeout, variable: "HF_HUB_ETAG_TIMEOUT")
            : .timedOut(repository: repository.description, url: url, seconds: downloadTimeout, variable: "HF_HUB_DOWNLOAD_TIMEOUT")
    }

    /// Throws the ``HubError`` for a 4xx/5xx status; `notFound` is the error a 404 means here.
    func check(_ reply: Reply, notFound: @autoclosure () -> HubError) throws {
        switch reply.status {
        case 200..<400: return
        case 401, 403: throw HubError.unauthorized(repository: repository.description, url: reply.url, status: reply.status)
        case 404: throw notFound()
        default: throw HubError.unexpectedStatus(repository: repository.description, url: reply.url, status: reply.status)
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

extension HTTPClientResponse.Body {
    /// Reads and discards the rest of the body, so the connection can be reused.
    func drain() async throws {
        for try await _ in self {}
    }
}
