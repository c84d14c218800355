import Foundation
import Image2Text
import Image2TextServer
import Logging
import Testing
import Image2TextTestSupport

/// Dynamic batching and graceful shutdown against the real server.
@Suite struct ServerBatchingTests {
    let model = Repository.model

    /// Twelve concurrent requests, captions and answers about different images, waiting long enough to share
    /// batches: each answer equals the library's single answer, and some came from batches of several.
    @Test func concurrentBatchedAnswersEqualSingleAnswers() async throws {
        try await withServer(.init(maxBatchSize: 8, maxBatchWait: .milliseconds(300))) { server in
            let cases: [(image: String, question: String?)] = (0..<12).map { index in
                let questions = [nil, "what shape is in the image?", "what color is the shape?", "is there a circle?"]
                return ("easyvqa/\(index * 5).png", questions[index % questions.count])
            }
            let expected = try cases.map { image, question in
                try model.generate([model.request(question: question, image: model.encode(
                    ImageDecoder.decode(contentsOf: Repository.fixture(image))))])[0][0]
            }
            let replies = try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
                for (index, (image, question)) in cases.enumerated() {
                    group.addTask {
                        let form = MultipartForm { form in
                            form.file("image", try! Repository.fixtureData(image))
                            if let question { form.field("question", question) }
                        }
                        return (index, try await server.send(question == nil ? "/v1/caption" : "/v1/answer", form: form))
                    }
                }
                var replies = [Int: HTTPReply]()
                for try await (index, reply) in group { replies[index] = reply }
                return replies
            }
            var batchSizes: [Int] = []
            for (index, result) in expected.enumerated() {
                let reply = try #require(replies[index])
                #expect(reply.status == 200, "\(reply.text)")
                #expect(try reply.json()["ids"] as? [Int] == result.ids, "request \(index)")
                #expect(try reply.json()["text"] as? String == result.text, "request \(index)")
                batchSizes.append(try #require((try reply.json()["timings"] as? [String: Any])?["batch_size"] as? Int))
            }
            #expect(batchSizes.max()! > 1, "no request shared a batch: \(batchSizes)")
            #expect(batchSizes.max()! <= 8)
        }
    }

    /// Requests with different generation options never share a batch, and each still gets its own options' result.
    @Test func differentOptionsRunInSeparateBatches() async throws {
        try await withServer(.init(maxBatchSize: 8, maxBatchWait: .milliseconds(300))) { server in
            let data = try Repository.fixtureData("easyvqa/0.png")
            let image = try model.encode(ImageDecoder.decode(data: data, source: "0.png"))
            let limits = [2, 3, 20]
            let replies = try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
                for limit in limits {
                    group.addTask { (limit, try await server.send("/v1/caption", json: ["image": data.base64EncodedString(), "max_new_tokens": limit])) }
                }
                var replies = [Int: HTTPReply]()
                for try await (limit, reply) in group { replies[limit] = reply }
                return replies
            }
            for limit in limits {
                let expected = try model.generate([model.request(image: image)], options: .init(maxNewTokens: limit))[0][0]
                let reply = try #require(replies[limit])
                #expect(try reply.json()["ids"] as? [Int] == expected.ids)
                #expect((try reply.json()["timings"] as? [String: Any])?["batch_size"] as? Int == 1)
            }
        }
    }

    /// Graceful shutdown of `image2text serve` while requests wait for their batch: every accepted request is
    /// answered, then the server stops listening.
    @Test func gracefulShutdownFinishesAcceptedRequests() async throws {
        try await onDedicatedThread {
            // A batch wait well beyond the three uploads, even on a loaded machine (the server finishes its requests
            // before it stops the worker, so the batch runs when the wait ends, within the request timeout).
            let server = try await RunningService.start { onListening in
                Image2TextServer(model: model, configuration: .init(port: 0, maxBatchSize: 8, maxBatchWait: .seconds(15)),
                                 logger: Logger(label: "image2text.test-server"), onListening: onListening)
            }
            let data = try Repository.fixtureData("easyvqa/0.png")
            let expected = try model.caption(ImageDecoder.decode(data: data, source: "0.png"))
            let connections = try (0..<3).map { _ in
                let connection = try RawConnection(port: server.port)
                try connection.send("POST /v1/caption HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: \(data.count)\r\n\r\n")
                try connection.send(data)
                return connection
            }
            // The requests are in the queue, waiting for the batch to fill.
            try await waitUntil {
                let health = try RawConnection(port: server.port)
                try health.send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                return await health.receive(seconds: 5).contains(#""queue_depth":3"#)
            }
            try await server.stop()
            for connection in connections {
                let reply = await connection.receive(seconds: 30)
                #expect(reply.hasPrefix("HTTP/1.1 200"), "\(reply)")
                #expect(reply.contains(#""ids":[\#(expected.ids.map(String.init).joined(separator: ","))]"#), "\(reply)")
            }
            // Nothing listens any more.
            #expect(throws: (any Error).self) { try RawConnection(port: server.port) }
        }
    }
}

/// Polls `condition` every 20 ms for up to 10 s.
func waitUntil(_ condition: () async throws -> Bool) async throws {
    for _ in 0..<500 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("the condition never held")
}
