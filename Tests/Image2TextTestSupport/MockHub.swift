import Foundation
import Image2Text
import NIOCore
import NIOHTTP1
import NIOPosix
import Image2TextSupport

/// A stand-in for huggingface.co on 127.0.0.1, serving the endpoints huggingface_hub and ``HubClient`` use:
///
/// - `GET /api/models/ORG/NAME/revision/REV`: `{"id", "sha", "siblings": [{"rfilename"}]}`;
/// - `HEAD`/`GET /ORG/NAME/resolve/REV/FILE`: small files answered directly (`ETag` = a 40-hex blob id,
///   `Content-Length`, `X-Repo-Commit`); LFS files answered with `302` to `/blobs-cdn/SHA256` on a second port (another
///   "host", like the hub's CDN) with `X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit`;
/// - `GET /blobs-cdn/SHA256`: the bytes, with `Range: bytes=N-` support (`206`).
///
/// A gated repository answers 401 without `Authorization: Bearer <token>`. A ``Fault`` makes the CDN cut the
/// connection halfway through a file once, serve corrupted bytes or fall silent halfway, or the hub never answer.
public final class MockHub: @unchecked Sendable {
    /// A repository the mock serves.
    public struct Repository {
        public var id: String
        public var commit: String
        public var files: [String: Data]
        /// Files stored with LFS (served through the CDN, ETag = sha256).
        public var lfsFiles: Set<String>
        /// When set, requests need `Authorization: Bearer token`.
        public var token: String?
        /// Files the listing names but `resolve` answers 404 for (a listing out of step with the files).
        public var listedButMissing: Set<String> = []

        public init(id: String, commit: String, files: [String: Data], lfsFiles: Set<String>, token: String? = nil,
                    listedButMissing: Set<String> = []) {
            (self.id, self.commit, self.files, self.lfsFiles) = (id, commit, files, lfsFiles)
            (self.token, self.listedButMissing) = (token, listedButMissing)
        }
    }

    /// A misbehaviour of the CDN.
    public enum Fault: Equatable, Sendable {
        /// Serve every file faithfully.
        case none
        /// Send the headers and half the body of the first full `GET` of a blob, then close the connection.
        case cutConnectionOnce
        /// Serve the blob with one byte changed.
        case corruptBytes
        /// Send the headers and half the body of every blob, then nothing more, with the connection left open.
        case stallHalfway
        /// Read every request to the hub and the CDN and never answer, with the connection left open.
        case neverAnswer
    }

    /// One request the mock received.
    public struct RecordedRequest: Equatable, Sendable {
        public var method: String
        public var path: String
        public var range: String?
        public var authorization: String?
    }

    public let repositories: [String: Repository]
    public let fault: Fault
    private let lock = NSLock()
    private var _requests: [RecordedRequest] = []
    private var cutDone = false
    private var channels: [any Channel] = []
    /// The hub's port (API and resolve endpoints).
    public private(set) var port = 0
    /// The CDN's port.
    public private(set) var cdnPort = 0

    /// The hub's base URL, for `HF_ENDPOINT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Every request so far, in order.
    public var requests: [RecordedRequest] { lock.withLock { _requests } }

    private init(repositories: [Repository], fault: Fault) {
        self.repositories = Dictionary(uniqueKeysWithValues: repositories.map { ($0.id, $0) })
        self.fault = fault
    }

    /// Starts the hub and its CDN on ephemeral loopback ports.
    public static func start(_ repositories: [Repository], fault: Fault = .none) async throws -> MockHub {
        let hub = MockHub(repositories: repositories, fault: fault)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MockHubHandler(hub: hub))
                }
            }
        let api = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let cdn = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        hub.channels = [api, cdn]
        hub.port = api.localAddress?.port ?? 0
        hub.cdnPort = cdn.localAddress?.port ?? 0
        return hub
    }

    /// Stops listening.
    public func shutdown() async throws {
        for channel in channels { try await channel.close() }
    }

    /// A response: status, headers, body, and how it ends.
    struct Reply {
        /// After how many body bytes the response ends, and how.
        enum Ending {
            case complete
            /// Close the connection.
            case cut(after: Int)
            /// Send nothing more and keep the connection open.
            case stall(after: Int)
        }

        var status: HTTPResponseStatus
        var headers: [(String, String)] = []
        var body = Data()
        var ending = Ending.complete
    }

    /// Answers one request.
    func reply(method: HTTPMethod, uri: String, headers: HTTPHeaders) -> Reply {
        let range = headers.first(name: "Range"), authorization = headers.first(name: "Authorization")
        lock.withLock { _requests.append(RecordedRequest(method: method.rawValue, path: uri, range: range, authorization: authorization)) }
        let parts = uri.split(separator: "/", omittingEmptySubsequences: true).map { $0.removingPercentEncoding ?? String($0) }
        if parts.count == 2, parts[0] == "blobs-cdn" { return blob(sha256: parts[1], range: range, isHead: method == .HEAD) }
        if parts.count == 6, parts[0] == "api", parts[1] == "models", parts[4] == "revision" {
            return revisionInfo(repository: "\(parts[2])/\(parts[3])", revision: parts[5], authorization: authorization)
        }
        if parts.count >= 5, parts[2] == "resolve" {
            return resolve(repository: "\(parts[0])/\(parts[1])", revision: parts[3],
                           file: parts[4...].joined(separator: "/"), authorization: authorization, isHead: method == .HEAD)
        }
        return Reply(status: .notFound)
    }

    /// A repository found, or the refusal to answer with.
    private enum Lookup {
        case found(Repository)
        case refused(Reply)
    }

    private func repository(_ id: String, revision: String, authorization: String?) -> Lookup {
        guard let repository = repositories[id] else {
            // The hub answers 401 for a repository it does not show, whether private or absent.
            return .refused(Reply(status: .unauthorized, headers: [("X-Error-Code", "RepoNotFound")]))
        }
        if let token = repository.token, authorization != "Bearer \(token)" {
            return .refused(Reply(status: .unauthorized, headers: [("X-Error-Code", "GatedRepo")]))
        }
        guard revision == "main" || revision == repository.commit else {
            return .refused(Reply(status: .notFound, headers: [("X-Error-Code", "RevisionNotFound")]))
        }
        return .found(repository)
    }

    private func revisionInfo(repository id: String, revision: String, authorization: String?) -> Reply {
        let repository: Repository
        switch self.repository(id, revision: revision, authorization: authorization) {
        case .found(let found): repository = found
        case .refused(let reply): return reply
        }
        let siblings = repository.files.keys.sorted().map { ["rfilename": $0] } + repository.listedButMissing.map { ["rfilename": $0] }
        let json: [String: Any] = ["id": repository.id, "sha": repository.commit, "siblings": siblings]
        return Reply(status: .ok, headers: [("Content-Type", "application/json")],
                     body: (try? JSONSerialization.data(withJSONObject: json)) ?? Data())
    }

    private func resolve(repository id: String, revision: String, file: String, authorization: String?, isHead: Bool) -> Reply {
        let repository: Repository
        switch self.repository(id, revision: revision, authorization: authorization) {
        case .found(let found): repository = found
        case .refused(let reply): return reply
        }
        guard let data = repository.files[file] else {
            return Reply(status: .notFound, headers: [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", repository.commit)])
        }
        if repository.lfsFiles.contains(file) {
            let sha = SHA256.hexDigest(data)
            return Reply(status: .found, headers: [
                ("Location", "http://127.0.0.1:\(cdnPort)/blobs-cdn/\(sha)"), ("X-Repo-Commit", repository.commit),
                ("X-Linked-Etag", "\"\(sha)\""), ("X-Linked-Size", "\(data.count)"), ("ETag", "\"\(Self.blobID(of: data))\""),
            ])
        }
        return Reply(status: .ok, headers: [("ETag", "\"\(Self.blobID(of: data))\""), ("X-Repo-Commit", repository.commit)],
                     body: data)
    }

    private func blob(sha256: String, range: String?, isHead: Bool) -> Reply {
        let files = repositories.values.flatMap { repository in repository.lfsFiles.compactMap { repository.files[$0] } }
        guard var data = files.first(where: { SHA256.hexDigest($0) == sha256 }) else { return Reply(status: .notFound) }
        if fault == .corruptBytes { data[data.count / 2] ^= 0xff }
        var start = 0
        if let range, range.hasPrefix("bytes="), range.hasSuffix("-"), let from = Int(range.dropFirst(6).dropLast()) {
            start = from
        }
        guard start < data.count else { return Reply(status: .rangeNotSatisfiable, headers: [("Content-Range", "bytes */\(data.count)")]) }
        let body = data.subdata(in: start..<data.count)
        var reply = Reply(status: start > 0 ? .partialContent : .ok, headers: [("ETag", "\"\(sha256)\"")], body: body)
        if start > 0 { reply.headers.append(("Content-Range", "bytes \(start)-\(data.count - 1)/\(data.count)")) }
        if fault == .cutConnectionOnce, start == 0, !isHead, lock.withLock({ !cutDone }) {
            lock.withLock { cutDone = true }
            reply.ending = .cut(after: body.count / 2)
        }
        if fault == .stallHalfway { reply.ending = .stall(after: body.count / 2) }
        return reply
    }

    /// A 40-hex stand-in for the git blob sha1 the hub gives small files as their ETag.
    public static func blobID(of data: Data) -> String {
        String(SHA256.hexDigest(Data("blob \(data.count)\0".utf8) + data).prefix(40))
    }
}

/// Reads a request and writes the hub's ``MockHub/Reply``.
private final class MockHubHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let hub: MockHub
    private var head: HTTPRequestHead?

    init(hub: MockHub) { self.hub = hub }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            respond(to: head, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let reply = hub.reply(method: request.method, uri: request.uri, headers: request.headers)
        if hub.fault == .neverAnswer { return }
        var headers = HTTPHeaders(reply.headers)
        if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: "\(reply.body.count)") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: reply.status, headers: headers))),
                      promise: nil)
        let sent: Int
        switch reply.ending {
        case .complete: sent = reply.body.count
        case .cut(let after), .stall(let after): sent = after
        }
        let body = request.method == .HEAD ? Data() : reply.body.prefix(sent)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        }
        switch (reply.ending, request.method) {
        case (.complete, _), (_, .HEAD):
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case (.cut, _):
            context.flush()
            context.close(promise: nil)
        case (.stall, _):
            context.flush()
        }
    }
}
