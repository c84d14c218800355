import AsyncHTTPClient
import Foundation
import Image2Text
import Image2TextServer
import Image2TextTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Testing

extension Repository {
    /// The bundled demo model, loaded once for every test.
    static let model: GITModel = try! GITModel(directory: demoModel)
}

/// A real ``Image2TextServer`` on a free loopback port, and an HTTP client to call it.
final class RunningServer: Sendable {
    let service: RunningService
    let client = HTTPClient(eventLoopGroupProvider: .singleton)

    var port: Int { service.port }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(service: RunningService) {
        self.service = service
    }

    /// Starts a server for `model` with `configuration` (its port is replaced by a free one).
    static func start(model: GITModel = Repository.model, _ configuration: ServerConfiguration = .init()) async throws -> RunningServer {
        var configuration = configuration
        configuration.port = 0
        var logger = Logger(label: "image2text.test-server")
        logger.logLevel = .warning
        return RunningServer(service: try await RunningService.start { onListening in
            Image2TextServer(model: model, configuration: configuration, logger: logger, onListening: onListening)
        })
    }

    /// Graceful shutdown of the server and then of the client.
    func stop() async throws {
        try await stopServer()
        try await client.shutdown()
    }

    /// Graceful shutdown; returns when the server has finished.
    func stopServer() async throws {
        try await service.stop()
    }

    /// Sends a request and returns its status, headers and body.
    func send(_ method: HTTPMethod = .POST, _ path: String, contentType: String? = nil, body: Data? = nil,
              timeout: TimeAmount = .seconds(60)) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return HTTPReply(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    func send(_ path: String, form: MultipartForm) async throws -> HTTPReply {
        try await send(.POST, path, contentType: form.contentType, body: form.body)
    }

    func send(_ path: String, json: [String: Any]) async throws -> HTTPReply {
        try await send(.POST, path, contentType: "application/json", body: JSONSerialization.data(withJSONObject: json))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A response as the tests read it.
struct HTTPReply {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

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
