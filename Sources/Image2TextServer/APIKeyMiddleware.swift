import HTTPTypes
import Hummingbird
import Image2TextSupport

/// Lets a request through only with `Authorization: Bearer KEY` (``ServerConfiguration/apiKey``); `GET /health` is
/// open, for load balancers and Kubernetes probes. Keys are compared by their SHA-256 digests, byte by byte without an
/// early exit, so that the time taken says nothing about how much of a guess was right.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let keyDigest: [UInt8]
    static var openPaths: Set<String> { ["/health"] }

    init(key: String) {
        keyDigest = Self.digest(key)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.openPaths.contains(request.uri.path) || accepts(request.headers[.authorization]) else {
            throw APIError(status: .unauthorized, code: "invalid_api_key",
                           message: "a valid API key is required: send the header Authorization: Bearer KEY")
        }
        return try await next(request, context)
    }

    private func accepts(_ authorization: String?) -> Bool {
        guard let authorization, authorization.prefix(7).lowercased() == "bearer " else { return false }
        let given = Self.digest(String(authorization.dropFirst(7).drop { $0 == " " }))
        return zip(given, keyDigest).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func digest(_ text: String) -> [UInt8] {
        Array(text.utf8).withUnsafeBytes { SHA256.digest($0) }
    }
}
