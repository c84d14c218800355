import Foundation
import Image2Text
import Image2TextNetworking
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
/// most the body-size limit, within the request timeout. As a service, it closes its session on graceful shutdown.
final class URLFetcher: Service, Sendable {
    let allowList: URLAllowList
    let maxBytes: Int
    private let session: HTTPSession

    init(allowList: URLAllowList, maxBytes: Int, timeout: Duration) {
        self.allowList = allowList
        self.maxBytes = maxBytes
        let seconds = TimeInterval(timeout.components.seconds) + TimeInterval(timeout.components.attoseconds) * 1e-18
        session = HTTPSession(idleTimeout: seconds, transferTimeout: seconds)
    }

    func run() async throws {
        try? await gracefulShutdown()
        session.close()
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
        func tooLarge(_ reason: String) -> APIError {
            APIError(status: .contentTooLarge, code: "body_too_large", message: "image_url \(url.absoluteString): \(reason)")
        }
        do {
            let response = try await session.send("GET", url)
            guard response.status == 200 else { throw failure("the server answered \(response.status)") }
            if let length = response.header("Content-Length").flatMap(Int.init), length > maxBytes {
                throw tooLarge("\(length) bytes exceed the limit of \(maxBytes)")
            }
            return try await response.body.collect(upTo: maxBytes)
        } catch let error as APIError {
            throw error
        } catch HTTPSessionError.bodyTooLarge {
            throw tooLarge("more than \(maxBytes) bytes")
        } catch {
            throw failure(String(describing: error))
        }
    }
}
