import AsyncHTTPClient
import Foundation
import Image2Text
import NIOCore
import ServiceLifecycle

/// Reads a request's media in the request's own task, before it joins a batch, so that the model's thread only runs
/// the model; the library's ``VisualReader`` tells images from videos and samples a video's frames.
struct MediaLoader: Sendable {
    let model: GITModel
    let limits: ImageLimits
    /// Fetches `image_url`s; nil when URL fetching is off.
    let fetcher: URLFetcher?

    func load(_ request: InferenceRequest) async throws -> VisualInput {
        let reader = VisualReader(limits: limits, orientation: request.orientation, frames: request.frames)
        return try reader.read(try await source(request.media), for: model)
    }

    /// The bytes of `media`, fetched if it is a URL.
    private func source(_ media: MediaSource) async throws -> VisualSource {
        switch media {
        case .bytes(let data, let name):
            return .bytes(data, name: name)
        case .url(let url):
            guard let fetcher else {
                throw APIError(status: .badRequest, code: "url_fetching_disabled",
                               message: "image_url: this server does not fetch URLs (start it with --allow-url-host)")
            }
            return .bytes(try await fetcher.fetch(url), name: url.absoluteString)
        case .frames(let frames):
            var sources: [VisualSource] = []
            for frame in frames { sources.append(try await source(frame)) }
            return .frames(sources)
        }
    }
}

/// Fetches `image_url`s from allowed hosts only: http(s), no redirects (a redirect could leave the allow-list), at
/// most the body-size limit, within the request timeout. As a service, it closes its client on graceful shutdown.
final class URLFetcher: Service, Sendable {
    let allowList: URLAllowList
    let maxBytes: Int
    let timeout: Duration
    private let client: HTTPClient

    init(allowList: URLAllowList, maxBytes: Int, timeout: Duration) {
        self.allowList = allowList
        self.maxBytes = maxBytes
        self.timeout = timeout
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }

    func fetch(_ url: URL) async throws -> Data {
        guard let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host else {
            throw APIError(status: .badRequest, code: "invalid_request", message: "image_url: only http and https URLs are fetched")
        }
        guard allowList.allows(host: host) else {
            throw APIError(status: .forbidden, code: "url_not_allowed", message: "image_url: the host \(host) is not on this server's allow-list")
        }
        func failure(_ reason: String) -> APIError {
            APIError(status: .unprocessableContent, code: "url_fetch_failed", message: "image_url \(url.absoluteString): \(reason)")
        }
        do {
            let response = try await client.execute(HTTPClientRequest(url: url.absoluteString), timeout: .init(timeout))
            guard response.status == .ok else { throw failure("the server answered \(response.status.code)") }
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                throw APIError(status: .contentTooLarge, code: "body_too_large", message: "image_url \(url.absoluteString): \(length) bytes exceed the limit of \(maxBytes)")
            }
            return Data(try await response.body.collect(upTo: maxBytes).readableBytesView)
        } catch let error as APIError {
            throw error
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, code: "body_too_large", message: "image_url \(url.absoluteString): more than \(maxBytes) bytes")
        } catch {
            throw failure(String(describing: error))
        }
    }
}

extension TimeAmount {
    /// `duration`, within the ±292 years a time amount holds.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let limit = Int64.max / 1_000_000_000 - 1
        self = .nanoseconds(max(-limit, min(limit, seconds)) * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
