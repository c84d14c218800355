import Foundation
import Image2TextTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Image2Text
import Testing

/// `image2text serve` as a process: it listens, logs JSON lines (numbers as numbers), captions over HTTP, and stops
/// cleanly on SIGTERM.
@Suite struct CLIServerTests {
    @Test func servesLogsAndStopsOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve", "--model", "demo", "--port", "0", "--log-format", "json"]
        process.currentDirectoryURL = Repository.root
        let standardError = Pipe()
        process.standardError = standardError
        process.standardOutput = Pipe()
        try process.run()
        defer { if process.isRunning { process.interrupt() } }
        var log = LogLines(standardError.fileHandleForReading)

        let listening = try #require(log.first { $0["message"] as? String == "listening" })
        let port = try #require(listening["port"] as? Int, "a number, not text: \(listening)")
        #expect(listening["level"] as? String == "info")

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
}
