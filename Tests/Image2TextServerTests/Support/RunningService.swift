import Logging
import ServiceLifecycle

/// A service listening on a free loopback port, run in a service group of its own as `image2text serve` runs it.
struct RunningService: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts the service `make` builds; `make` passes the callback it is given the bound port when listening.
    static func start(_ make: (_ onListening: @escaping @Sendable (Int) async -> Void) -> any Service) async throws -> RunningService {
        var logger = Logger(label: "image2text.tests")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let service = make { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        let task = Task { try await group.run() }
        guard let port = await ports.first(where: { _ in true }) else {
            try await task.value
            throw TestFailure("the service stopped before listening")
        }
        return RunningService(port: port, group: group, task: task)
    }

    /// Graceful shutdown; returns when the service has finished.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
