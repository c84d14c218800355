import Foundation
import Hummingbird
import Logging

/// A loopback web server with one image and a redirect, for `image_url`.
enum ImageOrigin {
    static func start(png: Data) async throws -> RunningService {
        let router = Router()
        router.get("/0.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.get("/redirect") { _, _ in Response(status: .found, headers: [.location: "/0.png"]) }
        var logger = Logger(label: "image2text.test-origin")
        logger.logLevel = .warning
        return try await RunningService.start { onListening in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                        onServerRunning: { await onListening($0.localAddress?.port ?? 0) }, logger: logger)
        }
    }
}
