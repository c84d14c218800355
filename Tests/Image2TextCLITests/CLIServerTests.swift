import Foundation
import Image2TextTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Image2Text
import Testing

/// `image2text serve` as a process: it listens, logs JSON lines (numbers as numbers), captions over HTTP, takes its
/// key from `--api-key` before the environment, and stops cleanly on SIGTERM.
@Suite struct CLIServerTests {
    /// `image2text serve --model demo --port 0 --log-format json` plus `arguments`, started; its log and port.
    static func startServer(_ arguments: [String] = [], environment: [String: String] = [:]) throws
        -> (process: Process, log: LogLines, port: Int, listening: [String: Any]) {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve", "--model", "demo", "--port", "0", "--log-format", "json"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = Repository.root
        let standardError = Pipe()
        process.standardError = standardError
        process.standardOutput = Pipe()
        try process.run()
        var log = LogLines(standardError.fileHandleForReading)
        guard let listening = log.first(where: { $0["message"] as? String == "listening" }), let port = listening["port"] as? Int else {
            process.interrupt()
            throw CLIServerError.notListening
        }
        return (process, log, port, listening)
    }

    enum CLIServerError: Error { case notListening }

    @Test func servesLogsAndStopsOnSIGTERM() async throws {
        let server = try Self.startServer()
        let (process, port) = (server.process, server.port)
        var log = server.log
        defer { if process.isRunning { process.interrupt() } }
        #expect(server.listening["level"] as? String == "info")

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/caption")!)
        request.httpMethod = "POST"
        request.setValue("image/png", forHTTPHeaderField: "Content-Type")
        let png = try Data(contentsOf: Repository.root.appendingPathComponent("Fixtures/easyvqa/0.png"))
        let (body, response) = try await URLSession.shared.upload(for: request, from: png)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let caption = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(caption["text"] as? String == "a red triangle")
        // The body and `caption --json`'s line are the same type (TaskResult): the same output, finish_reason included.
        let line = try CLITests().run(["caption", "--json", "Fixtures/easyvqa/0.png"]).stdout
        let fromCLI = try JSONDecoder().decode(TaskResult.self, from: Data(line.utf8))
        let fromServer = try JSONDecoder().decode(TaskResult.self, from: body)
        #expect(fromServer.output == fromCLI.output && fromServer.best?.finishReason == "eos")
        #expect(fromServer.input == "image" && fromCLI.input == "Fixtures/easyvqa/0.png")
        #expect(fromServer.timings.queueSeconds != nil && fromCLI.timings.queueSeconds == nil)

        let logged = try #require(log.first { $0["message"] as? String == "request" })
        #expect(logged["path"] as? String == "/v1/caption")
        #expect(logged["status"] as? Int == 200 && logged["duration_ms"] is Int, "\(logged)")
        #expect(logged["hb.request.id"] != nil)

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(log.first { $0["message"] as? String == "stopped" } != nil)
    }

    @Test("--api-key requires that key on every route but /health, and wins over IMAGE2TEXT_API_KEY; an empty key is refused")
    func apiKeyFlag() async throws {
        let (process, _, port, _) = try Self.startServer(["--api-key", "flag-key"], environment: ["IMAGE2TEXT_API_KEY": "environment-key"])
        defer { if process.isRunning { process.interrupt() } }
        func status(_ path: String, key: String?) async throws -> Int? {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
            return (try await URLSession.shared.data(for: request).1 as? HTTPURLResponse)?.statusCode
        }
        #expect(try await status("/v1/models", key: nil) == 401)
        #expect(try await status("/v1/models", key: "environment-key") == 401)
        #expect(try await status("/v1/models", key: "flag-key") == 200)
        #expect(try await status("/health", key: nil) == 200)

        let empty = try CLITests().run(["serve", "--model", "demo", "--api-key", ""])
        #expect(empty.status != 0 && empty.stderr.contains("--api-key must not be empty"), "\(empty.stderr)")
    }
}
