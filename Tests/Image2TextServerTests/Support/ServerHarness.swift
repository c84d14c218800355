import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Image2Text
import Image2TextServer
import Image2TextTestSupport
import Logging
import NIOCore
import Testing

extension Repository {
    /// The bundled demo model, loaded once for every test.
    static let model: GITModel = try! GITModel(directory: demoModel)
}

/// Runs `test` against an ``Image2TextServer``'s application for `model` with `configuration`, in-process on a thread
/// of its own: through its router (`.router`), or listening on a free loopback port (`.live`) for tests that speak
/// raw HTTP.
func withServer<T>(model: GITModel = Repository.model, _ configuration: ServerConfiguration = .init(),
                   _ setup: TestingSetup = .router, _ test: @Sendable (TestServer) async throws -> T) async throws -> T {
    var configuration = configuration
    configuration.port = 0
    var logger = Logger(label: "image2text.test-server")
    logger.logLevel = .warning
    let application = try Image2TextServer(model: model, configuration: configuration, logger: logger).application()
    return try await onDedicatedThread {
        try await application.test(setup) { client in try await test(TestServer(client: client)) }
    }
}

/// The client side of ``withServer(model:_:_:_:)``.
struct TestServer: Sendable {
    let client: any TestClientProtocol

    /// The port a `.live` server listens on.
    var port: Int { client.port! }

    /// Sends a request and returns its status, headers and body.
    func send(_ method: HTTPRequest.Method = .post, _ path: String, contentType: String? = nil, headers: HTTPFields = [:],
              body: Data? = nil) async throws -> HTTPReply {
        var headers = headers
        if let contentType { headers[.contentType] = contentType }
        let response = try await client.executeRequest(uri: path, method: method, headers: headers,
                                                       body: body.map { ByteBuffer(bytes: $0) })
        return HTTPReply(status: response.status.code, headers: response.headers, body: Data(response.body.readableBytesView))
    }

    func send(_ path: String, form: MultipartForm) async throws -> HTTPReply {
        try await send(.post, path, contentType: form.contentType, body: form.body)
    }

    func send(_ path: String, json: [String: Any], headers: HTTPFields = [:]) async throws -> HTTPReply {
        try await send(.post, path, contentType: "application/json", headers: headers, body: JSONSerialization.data(withJSONObject: json))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A response as the tests read it.
struct HTTPReply {
    let status: Int
    let headers: HTTPFields
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The value of header `name`.
    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return object
    }

    /// `error.code` of an error body.
    func errorCode() throws -> String? { (try json()["error"] as? [String: Any])?["code"] as? String }

    func errorMessage() throws -> String? { (try json()["error"] as? [String: Any])?["message"] as? String }
}

/// A `multipart/form-data` body.
struct MultipartForm {
    let boundary = "image2text-test-\(UUID().uuidString)"
    private(set) var body = Data()

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    init(_ build: (inout MultipartForm) -> Void = { _ in }) {
        build(&self)
        body.append(Data("--\(boundary)--\r\n".utf8))
    }

    mutating func file(_ name: String, _ data: Data, filename: String = "upload.png", type: String = "image/png") {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\nContent-Type: \(type)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n".utf8))
    }

    mutating func field(_ name: String, _ value: String) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }
}
