import Foundation
import HTTPTypes
import Hummingbird
import Image2Text
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// `image2text serve`: an HTTP server around one ``GITModel``.
///
/// - `POST /v1/caption`, `/v1/answer`, `/v1/classify`: an image or video as `multipart/form-data`, as base64 in a
///   JSON object, or as the raw body with the other fields in the query string (see ``InferenceRequest``);
/// - `POST /v1/chat/completions` and `GET /v1/models`: OpenAI's API (``ChatCompletionRequest``);
/// - `GET /health`, `GET /metrics` (Prometheus), `GET /openapi.json`.
///
/// With an API key every route but `/health` needs `Authorization: Bearer KEY`; with CORS origins browsers may call it.
///
/// Concurrent captions and answers with the same generation options are decoded together (``BatchQueue``). Run it as
/// a `Service`: graceful shutdown stops accepting connections, then finishes every request already accepted.
public struct Image2TextServer: Service {
    let model: GITModel
    let configuration: ServerConfiguration
    let logger: Logger
    let onListening: @Sendable (Int) async -> Void

    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public init(model: GITModel, configuration: ServerConfiguration, logger: Logger,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.model = model
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
    }

    /// - Throws: ``ListenError`` when the address cannot be listened on (a port in use, say).
    public func run() async throws {
        do {
            try await application().run()
        } catch {
            throw ListenError(error, host: configuration.host, port: configuration.port) ?? error
        }
        logger.info("stopped")
    }

    /// The HTTP application `run` serves: the routes, with the model worker (and the URL fetcher, when URLs are
    /// fetched) as its services. Tests drive it in-process.
    public func application() throws -> some ApplicationProtocol {
        try configuration.validate(for: model)
        let metrics = ServerMetrics()
        let queue = BatchQueue()
        let fetcher = configuration.urlAllowList.map {
            URLFetcher(allowList: $0, maxBytes: configuration.maxBodyBytes, timeout: configuration.requestTimeout)
        }
        let handler = RequestHandler(
            model: model, configuration: configuration, queue: queue, metrics: metrics,
            loader: MediaLoader(model: model, limits: ImageLimits(maximumPixels: configuration.maxPixels), fetcher: fetcher))
        let worker = ModelWorker(model: model, queue: queue, configuration: configuration, metrics: metrics, logger: logger)
        return Application(
            router: handler.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "image2text"),
            // The application shuts its services down after its HTTP server, in reverse order: the worker finishes
            // every accepted request, then the fetcher closes.
            services: [fetcher].compactMap { $0 } + [worker],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("listening", metadata: ["host": "\(configuration.host)", "port": .stringConvertible(port),
                                                    "model": "\(model.directory.path)"])
                await onListening(port)
            },
            logger: logger)
    }
}

/// The routes and what each does with a request.
struct RequestHandler: Sendable {
    let model: GITModel
    let configuration: ServerConfiguration
    let queue: BatchQueue
    let metrics: ServerMetrics
    let loader: MediaLoader
    let admission: Admission
    /// When the server was built (Unix seconds): the model's `created` in `GET /v1/models`.
    let started = Int(Date().timeIntervalSince1970)

    init(model: GITModel, configuration: ServerConfiguration, queue: BatchQueue, metrics: ServerMetrics, loader: MediaLoader) {
        self.model = model
        self.configuration = configuration
        self.queue = queue
        self.metrics = metrics
        self.loader = loader
        admission = Admission(limit: configuration.maxConcurrentRequests)
    }

    /// The model's name in chat completions and `GET /v1/models`.
    var modelName: String { configuration.modelName ?? model.directory.lastPathComponent }

    static let chatCompletionsPath = "/v1/chat/completions"
    static let modelsPath = "/v1/models"

    /// Every route's path and method.
    static let routes: [(path: String, method: HTTPRequest.Method)] =
        (Endpoint.allCases.map(\.path) + [chatCompletionsPath]).map { ($0, .post) }
            + ["/health", "/metrics", "/openapi.json", modelsPath].map { ($0, .get) }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ObservingMiddleware(metrics: metrics))
        if let origin = configuration.corsOrigin {
            // Before the key check: a browser's preflight request carries no key.
            router.add(middleware: CORSMiddleware(
                allowOrigin: origin == "*" ? .all : .custom(origin),
                allowHeaders: [.accept, .authorization, .contentType, .origin],
                allowMethods: [.get, .post, .options],
                exposedHeaders: [ChatCompletionsRoute.ignoredFieldsHeader, ChatCompletionsRoute.warningsHeader]))
        }
        router.add(middleware: UnroutedRequestMiddleware(routes: Self.routes))
        if let key = configuration.apiKey { router.add(middleware: APIKeyMiddleware(key: key)) }
        for endpoint in Endpoint.allCases {
            router.post(RouterPath(endpoint.path)) { request, _ in
                try await respond(to: request) { body, _ in try await run(endpoint, fields: fields(of: request, body: body)) }
            }
        }
        router.post(RouterPath(Self.chatCompletionsPath)) { request, _ in
            try await respond(to: request) { body, deadline in try await chatCompletion(request, body: body, deadline: deadline) }
        }
        router.get(RouterPath(Self.modelsPath)) { _, _ in
            try JSONResponse.encode(ModelList(model: model, name: modelName, loaded: started))
        }
        router.get("/health") { _, _ in
            try JSONResponse.encode(HealthResponse(status: "ok", model: model.directory.lastPathComponent,
                                                   queueDepth: queue.count, inFlight: admission.current))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.render(inFlight: admission.current, queueDepth: queue.count))))
        }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        return router
    }

    /// How `respond` hands over a request's reply.
    enum Reply: Sendable {
        /// The whole reply; the request is done.
        case complete(Response)
        /// A reply whose body is still being written: it holds the request's admission until it calls
        /// ``Admission/leave()`` and keeps to the request's deadline itself.
        case streaming(Response)
    }

    /// Admits the request, then reads its body and runs `work` on it, all within the request timeout.
    func respond(to request: Request, _ work: @escaping @Sendable (ByteBuffer, _ deadline: ContinuousClock.Instant) async throws -> Reply)
        async throws -> Response {
        guard admission.enter() else { throw APIError.tooManyRequests(limit: configuration.maxConcurrentRequests) }
        let deadline = ContinuousClock.now + configuration.requestTimeout
        var streaming = false
        defer { if !streaming { admission.leave() } }
        let uploaded = Flag()
        let timeout = configuration.requestTimeout.seconds
        do {
            let reply = try await withDeadline(configuration.requestTimeout) {
                let body = try await readBody(request)
                uploaded.set()
                return try await work(body, deadline)
            } onTimeout: {
                uploaded.isSet ? APIError.timeout(seconds: timeout) : APIError.uploadTimeout(seconds: timeout)
            }
            switch reply {
            case .complete(let response): return response
            case .streaming(let response):
                streaming = true
                return response
            }
        } catch {
            throw APIError.from(error)
        }
    }

    private func run(_ endpoint: Endpoint, fields: RequestFields) async throws -> Reply {
        let inference = try InferenceRequest(endpoint: endpoint, fields: fields, defaults: configuration.defaultOptions, model: model)
        let job = PendingJob(request: inference, media: try await loader.load(inference))
        var result = try await run(job)
        result.warnings = inference.warnings
        return .complete(try JSONResponse.encode(result))
    }

    /// Queues `job` and waits for its result.
    func run(_ job: PendingJob) async throws -> TaskResult {
        try Task.checkCancellation()
        try queue.enqueue(job)
        return try await outcome(of: job)
    }

    /// Waits for the result of a queued job; cancelled, the job leaves the queue.
    func outcome(of job: PendingJob) async throws -> TaskResult {
        try await withTaskCancellationHandler {
            try await job.outcome()
        } onCancel: {
            job.finish(.failure(CancellationError()))
            queue.remove(job)
        }
    }

    /// The body, up to the size limit; a declared length over the limit is refused before reading any of it.
    private func readBody(_ request: Request) async throws -> ByteBuffer {
        let limit = configuration.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        } catch let error as HTTPParserError {
            throw APIError.badRequest("the request body is not valid HTTP/1.1 (\(error))")
        }
    }

    /// The fields, read as the Content-Type says.
    private func fields(of request: Request, body: ByteBuffer) throws -> RequestFields {
        let header = request.headers[.contentType]
        switch header.flatMap(MediaType.init(from:)) {
        case let type? where type.isType(.multipartForm):
            guard let boundary = MediaType.parameter("boundary", in: header!), !boundary.isEmpty else {
                throw APIError.badRequest("Content-Type multipart/form-data needs a boundary parameter")
            }
            return try RequestFields.multipart(body, boundary: boundary)
        case let type? where type.isType(.applicationJson):
            return try RequestFields.json(body)
        case let type? where type.type == .image || type.type == .video || type.isType(.applicationBinary):
            return try RequestFields.raw(body, query: request.uri.query)
        default:
            throw APIError(status: .unsupportedMediaType, code: "unsupported_media_type",
                           message: "Content-Type must be multipart/form-data, application/json, image/* or video/*")
        }
    }
}

extension MediaType {
    /// The value of parameter `name` of a Content-Type header, wherever it stands among the parameters (`MediaType`
    /// reads only the first), without quotes; names compare without case.
    static func parameter(_ name: String, in header: String) -> String? {
        for parameter in header.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            return value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
        }
        return nil
    }
}

/// Counts the requests being handled and refuses those over the limit.
final class Admission: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var count = 0

    init(limit: Int) { self.limit = limit }

    var current: Int { lock.withLock { count } }

    func enter() -> Bool {
        lock.withLock {
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { lock.withLock { count -= 1 } }
}

/// A flag one task sets and another reads.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Answers a path without a route with 404, and a route's path asked with another method with 405 and `Allow`, both
/// with the JSON error body (the router's own answer is an empty 404).
struct UnroutedRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: [(path: String, method: HTTPRequest.Method)]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.filter { $0.path == request.uri.path }.map(\.method)
            if allowed.isEmpty { throw APIError.notFound(path: request.uri.path) }
            throw APIError.methodNotAllowed(request.method, allowed: allowed)
        }
    }
}

/// Logs each request and counts it in the metrics, by route (not raw path, which clients choose) and status.
struct ObservingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var status = HTTPResponse.Status.internalServerError
        defer {
            let duration = started.duration(to: .now)
            let endpoint = context.endpointPath ?? "unmatched"
            metrics.request(endpoint: endpoint, method: request.method.rawValue, status: status.code, duration: duration)
            context.logger.info("request", metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)", "status": .stringConvertible(status.code),
                "duration_ms": .stringConvertible(Int((duration.seconds * 1000).rounded())),
            ])
        }
        do {
            let response = try await next(request, context)
            status = response.status
            return response
        } catch let error as any HTTPResponseError {
            status = error.status
            throw error
        }
    }
}
