import Foundation
import HTTPTypes
import Hummingbird
import Image2Text

/// Why a request got no result: an HTTP status, a stable machine-readable code, a message naming the field, file or
/// limit at fault, and the field itself when one is. Sent on every route in OpenAI's error shape, which OpenAI's
/// clients read: `{"error": {"message": …, "type": …, "param": … or null, "code": …}}`.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// The request field at fault, if one is.
    var param: String? = nil
    /// Seconds after which a retry may succeed (429, 503).
    var retryAfter: Int? = nil
    /// The methods the path takes (405).
    var allow: [HTTPRequest.Method] = []

    var description: String { "\(code): \(message)" }

    var headers: HTTPFields {
        var fields = HTTPFields()
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        if !allow.isEmpty { fields[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        return fields
    }

    /// OpenAI's error types: `invalid_request_error` for the client's faults (4xx), `server_error` for the server's.
    var type: String { status.code < 500 ? "invalid_request_error" : "server_error" }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.encode(Body(error: self), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    private struct Body: Encodable {
        let error: APIError
    }
}

extension APIError: Encodable {
    enum CodingKeys: String, CodingKey {
        case message, type, param, code
    }

    /// `param` is written as `null` when there is none, as OpenAI does.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(type, forKey: .type)
        try container.encode(param, forKey: .param)
        try container.encode(code, forKey: .code)
    }
}

extension APIError {
    static func badRequest(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: message)
    }

    static func notFound(path: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "no route \(path) (see GET /openapi.json)")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        APIError(status: .methodNotAllowed, code: "method_not_allowed",
                 message: "\(method.rawValue) is not allowed here; use \(allowed.map(\.rawValue).joined(separator: " or "))", allow: allowed)
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, code: "body_too_large", message: "the request body exceeds the limit of \(limit) bytes")
    }

    static func tooManyRequests(limit: Int) -> APIError {
        APIError(status: .tooManyRequests, code: "too_many_requests",
                 message: "the server is already handling \(limit) requests; retry later", retryAfter: 1)
    }

    static let shuttingDown = APIError(status: .serviceUnavailable, code: "shutting_down",
                                       message: "the server is shutting down", retryAfter: 5)

    static func timeout(seconds: Double) -> APIError {
        APIError(status: .serviceUnavailable, code: "timeout",
                 message: "no result within the request timeout of \(seconds) s", retryAfter: 1)
    }

    static func uploadTimeout(seconds: Double) -> APIError {
        APIError(status: .requestTimeout, code: "upload_timeout",
                 message: "the request body did not arrive within the request timeout of \(seconds) s")
    }

    /// The HTTP form of an error about one request: a field the server could not read (400), or the library's
    /// classification (``TaskFailure``): the request at fault 400, the input 422 (413 for too many pixels), else 500.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as FieldError:
            return APIError(status: .badRequest, code: "invalid_field", message: error.description, param: error.field)
        default:
            let failure = TaskFailure(error)
            let status: HTTPResponse.Status = switch failure.fault {
            case .request: .badRequest
            case .input: failure.code == "too_many_pixels" ? .contentTooLarge : .unprocessableContent
            case .server: .internalServerError
            }
            var param: String? = nil
            if case GenerationError.invalidOption(let name, _) = error { param = name }
            return APIError(status: status, code: failure.code, message: failure.message, param: param)
        }
    }
}

/// JSON responses with the server's encoder settings (snake_case keys are spelled out in `CodingKeys`).
enum JSONResponse {
    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
