import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A response's status and headers, and its body as it arrives.
public struct HTTPResponse: Sendable {
    /// The URL that answered.
    public let url: URL
    public let status: Int
    private let headers: [String: String]
    /// The body, in the chunks the network delivers; ends with the transfer, or throws ``HTTPSessionError``.
    public let body: HTTPBody

    init(_ response: HTTPURLResponse, url: URL, body: HTTPBody) {
        self.url = url
        status = response.statusCode
        var headers: [String: String] = [:]
        for case let (name as String, value as String) in response.allHeaderFields {
            headers[name.lowercased()] = value
        }
        self.headers = headers
        self.body = body
    }

    /// The value of the header `name` (any case).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// A response body as an asynchronous sequence of chunks. Dropping it before the end cancels the transfer.
public struct HTTPBody: AsyncSequence, Sendable {
    public typealias Element = Data
    let chunks: AsyncThrowingStream<Data, any Error>

    public func makeAsyncIterator() -> AsyncThrowingStream<Data, any Error>.AsyncIterator {
        chunks.makeAsyncIterator()
    }

    /// The whole body; throws ``HTTPSessionError/bodyTooLarge(limit:)`` (and stops the transfer) past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> Data {
        var data = Data()
        for try await chunk in self {
            guard chunk.count <= limit - data.count else { throw HTTPSessionError.bodyTooLarge(limit: limit) }
            data.append(chunk)
        }
        return data
    }

    /// Reads and discards the rest of the body.
    public func drain() async throws {
        for try await _ in self {}
    }
}
