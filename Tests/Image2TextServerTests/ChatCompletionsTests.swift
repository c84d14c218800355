import Foundation
import HTTPTypes
import Image2Text
import Image2TextServer
import Image2TextKernels
import Image2TextTestSupport
import Testing

/// OpenAI's chat completions: the answers equal the library's, options map as documented, streams carry the same
/// text, and errors come in OpenAI's shape naming the field.
@Suite struct ChatCompletionsTests {
    let model = Repository.model

    static func dataURI(_ name: String) throws -> String {
        "data:image/png;base64," + (try Repository.fixtureData("easyvqa/\(name)")).base64EncodedString()
    }

    static func body(_ image: String = "0.png", text: String? = nil, _ extra: [String: Any] = [:]) throws -> [String: Any] {
        var content: [[String: Any]] = [["type": "image_url", "image_url": ["url": try dataURI(image)]]]
        if let text { content.append(["type": "text", "text": text]) }
        return ["model": "demo", "messages": [["role": "user", "content": content]]].merging(extra) { $1 }
    }

    func decoded(_ name: String) throws -> ImageContext {
        try model.encode(ImageDecoder.decode(data: Repository.fixtureData("easyvqa/\(name)"), source: name))
    }

    func choices(_ reply: HTTPReply) throws -> [[String: Any]] {
        try #require(try reply.json()["choices"] as? [[String: Any]], "\(reply.text)")
    }

    func content(_ choice: [String: Any]) -> String? { (choice["message"] as? [String: Any])?["content"] as? String }

    @Test func captionAndAnswerEqualTheLibrary() async throws {
        try await withServer { server in
            let image = try decoded("15.png")
            let caption = try model.caption(image)
            let reply = try await server.send("/v1/chat/completions", json: Self.body("15.png"))
            #expect(reply.status == 200, "\(reply.text)")
            let json = try reply.json()
            #expect(json["object"] as? String == "chat.completion")
            #expect((json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(json["model"] as? String == model.directory.lastPathComponent)
            let choice = try #require(try choices(reply).first)
            #expect(content(choice) == caption.generatedText)
            #expect((choice["message"] as? [String: Any])?["role"] as? String == "assistant")
            #expect(choice["finish_reason"] as? String == "stop" && choice["index"] as? Int == 0)
            #expect(choice.keys.contains("logprobs") && choice["logprobs"] is NSNull)
            let usage = try #require(json["usage"] as? [String: Int])
            #expect(usage["prompt_tokens"] == image.tokenCount + 1)
            #expect(usage["completion_tokens"] == caption.generatedIds.count)
            #expect(usage["total_tokens"] == image.tokenCount + 1 + caption.generatedIds.count)

            let question = "what shape is in the image?"
            let answer = try model.answer(question, about: image)
            let asked = try await server.send("/v1/chat/completions", json: Self.body("15.png", text: question))
            #expect(try choices(asked).first.map(content) == answer.generatedText)
            #expect((try asked.json()["usage"] as? [String: Int])?["prompt_tokens"] == image.tokenCount + answer.promptIds.count)

            // Ollama's form: the URL as a bare string, the text first; and the content as one string is refused.
            let bare: [String: Any] = ["model": "x", "messages": [["role": "user", "content": [
                ["type": "text", "text": question], ["type": "image_url", "image_url": try Self.dataURI("15.png")]]]]]
            #expect(try choices(try await server.send("/v1/chat/completions", json: bare)).first.map(content) == answer.generatedText)
        }
    }

    @Test func optionsMapOntoTheLibrarysOptions() async throws {
        try await withServer { server in
            let image = try decoded("5.png")
            let request = try model.request(image: image)
            // n without sampling: beams, best first.
            let beams = try model.generate([request], options: GenerationOptions(numBeams: 3, numReturnSequences: 3))[0]
            let nReply = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["n": 3]))
            #expect(try choices(nReply).map(content) == beams.map(\.generatedText))
            #expect(try choices(nReply).map { $0["index"] as? Int } == [0, 1, 2])
            // More beams than choices through transformers' name.
            let wide = try model.generate([request], options: GenerationOptions(numBeams: 4, numReturnSequences: 2))[0]
            let wideReply = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["n": 2, "num_beams": 4]))
            #expect(try choices(wideReply).map(content) == wide.map(\.generatedText))

            // A temperature samples; a seed repeats it; n samples come best first.
            let sampling = GenerationOptions(numReturnSequences: 3, doSample: true, temperature: 1.5, seed: 7)
            let samples = try model.generate([request], options: sampling)[0].sorted { $0.score > $1.score }
            let sampled = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["n": 3, "temperature": 1.5, "seed": 7]))
            #expect(try choices(sampled).map(content) == samples.map(\.generatedText))
            let again = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["n": 3, "temperature": 1.5, "seed": 7]))
            #expect(try choices(again).map(content) == samples.map(\.generatedText))
            // Temperature 0 is greedy whatever the seed.
            let greedy = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["temperature": 0, "seed": 3, "top_p": 0.5]))
            #expect(try choices(greedy).first.map(content) == (try model.caption(image)).generatedText)

            // max_tokens cuts at the limit: finish_reason length.
            let short = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["max_tokens": 1]))
            let first = try #require(try choices(short).first)
            #expect(first["finish_reason"] as? String == "length")
            #expect(content(first) == (try model.caption(image, options: GenerationOptions(maxNewTokens: 1))).generatedText)
            #expect((try short.json()["usage"] as? [String: Int])?["completion_tokens"] == 1)
        }
    }

    @Test func stopStringsAndLogprobs() async throws {
        try await withServer { server in
            let image = try decoded("0.png")
            let caption = try model.caption(image)  // "a red triangle"
            let stopped = try await server.send("/v1/chat/completions", json: Self.body("0.png", ["stop": ["tri", "zzz"]]))
            let choice = try #require(try choices(stopped).first)
            #expect(content(choice) == "a red " && choice["finish_reason"] as? String == "stop")
            #expect(try choices(try await server.send("/v1/chat/completions", json: Self.body("0.png", ["stop": "red"]))).first.map(content) == "a ")

            let reply = try await server.send("/v1/chat/completions", json: Self.body("0.png", ["logprobs": true, "top_logprobs": 2]))
            let logprobs = try #require((try choices(reply).first?["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
            let expected = try model.tokenLogProbabilities([caption], image: image, alternatives: 2)[0]
            #expect(logprobs.count == expected.count)
            for (token, probability) in zip(logprobs, expected) {
                let name = try model.tokenizer.convertIdsToTokens([probability.token.id])[0]
                #expect(token["token"] as? String == name)
                #expect(token["bytes"] as? [Int] == name.utf8.map(Int.init))
                #expect(abs((token["logprob"] as? Double ?? 1) - Double(probability.token.logProbability)) < 1e-5)
                #expect((token["top_logprobs"] as? [[String: Any]])?.count == 2)
            }
        }
    }

    /// Server-sent events, each `data: ` line parsed; the last is `[DONE]`.
    func events(_ reply: HTTPReply) throws -> [[String: Any]] {
        let lines = reply.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(lines.last == "data: [DONE]", "\(reply.text)")
        return try lines.dropLast().map { line in
            #expect(line.hasPrefix("data: "))
            return try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any])
        }
    }

    func deltas(_ events: [[String: Any]], index: Int = 0) -> [[String: Any]] {
        events.flatMap { ($0["choices"] as? [[String: Any]]) ?? [] }.filter { $0["index"] as? Int == index }
    }

    @Test func streamsChunksThatJoinToTheCompletion() async throws {
        try await withServer { server in
            for (image, text, extra) in [("0.png", nil, [String: Any]()), ("15.png", "what color is the shape?", [:]),
                                         ("5.png", nil, ["stop": ["gle"], "stream_options": ["include_usage": true]])] {
                let whole = try await server.send("/v1/chat/completions", json: Self.body(image, text: text, extra.filter { $0.key != "stream_options" }))
                let reply = try await server.send("/v1/chat/completions", json: Self.body(image, text: text, extra.merging(["stream": true]) { $1 }))
                #expect(reply.status == 200 && reply.header("Content-Type")?.hasPrefix("text/event-stream") == true, "\(reply.text)")
                let events = try events(reply)
                #expect(events.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
                #expect(Set(events.compactMap { $0["id"] as? String }).count == 1)
                let choice = deltas(events)
                #expect((choice.first?["delta"] as? [String: Any])?["role"] as? String == "assistant")
                let joined = choice.compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
                let expected = try #require(try choices(whole).first)
                #expect(joined == content(expected))
                #expect(choice.last?["finish_reason"] as? String == expected["finish_reason"] as? String)
                #expect(choice.dropLast().allSatisfy { $0["finish_reason"] is NSNull })
                if extra["stream_options"] != nil {
                    let usage = try #require(events.last?["usage"] as? [String: Int])
                    #expect(usage == (try whole.json()["usage"] as? [String: Int]))
                    #expect((events.last?["choices"] as? [Any])?.isEmpty == true)
                    #expect(events.dropLast().allSatisfy { $0["usage"] is NSNull })
                } else {
                    #expect(events.allSatisfy { $0["usage"] == nil })
                }
            }
            // Beams stream each choice whole at the end.
            let beams = try await server.send("/v1/chat/completions", json: Self.body("5.png", ["n": 2]))
            let streamed = try events(try await server.send("/v1/chat/completions", json: Self.body("5.png", ["n": 2, "stream": true])))
            for index in 0..<2 {
                let joined = deltas(streamed, index: index).compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
                #expect(joined == (try choices(beams))[index]["message"].flatMap { ($0 as? [String: Any])?["content"] as? String })
            }
        }
    }

    /// A /v1/caption request sent with chat completions (streamed or not) of the same options shares a batch with
    /// them, and they agree. Twice as many requests as the worker has lanes make batches of two at least.
    @Test func chatRequestsJoinTheBatchesOfTheOtherRoutes() async throws {
        try await withServer(.init(maxBatchSize: 8, maxBatchWait: .milliseconds(1000))) { server in
            let data = try Repository.fixtureData("easyvqa/10.png")
            let chats = 2 * KernelThreads.available - 1
            let bodies = try (0..<chats).map { index in
                try JSONSerialization.data(withJSONObject: Self.body("10.png", ["stream": index % 2 == 0]))
            }
            let (caption, texts) = try await withThrowingTaskGroup(of: (HTTPReply?, String?).self) { group in
                group.addTask { (try await server.send("/v1/caption", json: ["image": data.base64EncodedString()]), nil) }
                for (index, body) in bodies.enumerated() {
                    group.addTask {
                        let reply = try await server.send(.post, "/v1/chat/completions", contentType: "application/json", body: body)
                        let text = index % 2 == 0
                            ? deltas(try events(reply)).compactMap { ($0["delta"] as? [String: Any])?["content"] as? String }.joined()
                            : try choices(reply).first.flatMap(content)
                        return (nil, text)
                    }
                }
                var caption: HTTPReply?
                var texts: [String?] = []
                for try await (reply, text) in group {
                    if let reply { caption = reply } else { texts.append(text) }
                }
                return (try #require(caption), texts)
            }
            let timings = try #require(try caption.json()["timings"] as? [String: Any])
            #expect((timings["batch_size"] as? Int ?? 0) >= 2, "\(caption.text)")
            let text = try #require(try caption.json()["text"] as? String)
            #expect(texts.count == chats && texts.allSatisfy { $0 == text }, "\(texts)")
        }
    }

    @Test func framesOfAVideoForAVideoCheckpointOnly() async throws {
        let folder = try DemoVideoCheckpoint.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let video = try GITModel(directory: folder)
        let names = ["0.png", "5.png", "10.png"]
        let frames = try names.map { try ImageDecoder.decode(data: Repository.fixtureData("easyvqa/\($0)"), source: $0) }
        let expected = try video.caption(video.encode(frames: frames))
        let content = try names.map { ["type": "image_url", "image_url": ["url": try Self.dataURI($0)]] }
        let body = try JSONSerialization.data(withJSONObject: ["model": "v", "messages": [["role": "user", "content": content]]])
        try await withServer(model: video) { server in
            let reply = try await server.send(.post, "/v1/chat/completions", contentType: "application/json", body: body)
            #expect(try choices(reply).first.map(self.content) == expected.generatedText, "\(reply.text)")
            let models = try await server.send(.get, "/v1/models")
            let listed = try #require((try models.json()["data"] as? [[String: Any]])?.first)
            #expect(listed["input_modalities"] as? [String] == ["text", "image", "video"])
        }
        try await withServer { server in
            let reply = try await server.send(.post, "/v1/chat/completions", contentType: "application/json", body: body)
            #expect(reply.status == 400)
            #expect(try reply.errorMessage()?.contains("not a video checkpoint") == true, "\(reply.text)")
            let models = try await server.send(.get, "/v1/models")
            #expect(try models.json()["object"] as? String == "list")
            let listed = try #require((try models.json()["data"] as? [[String: Any]])?.first)
            #expect(listed["id"] as? String == model.directory.lastPathComponent && listed["object"] as? String == "model")
            #expect(listed["input_modalities"] as? [String] == ["text", "image"])
        }
    }

    @Test func errorsComeInOpenAIsShapeNamingTheField() async throws {
        try await withServer { server in
            let image: [String: Any] = ["type": "image_url", "image_url": ["url": try Self.dataURI("0.png")]]
            let user: [String: Any] = ["role": "user", "content": [image]]
            let cases: [(body: [String: Any], param: String)] = [
                (["messages": [["role": "system", "content": "be brief"], user]], "messages[0].role"),
                (["messages": [user, ["role": "assistant", "content": "a cat"], user]], "messages[1].role"),
                (["messages": [user, user]], "messages[1]"),
                (["messages": [["role": "user", "content": "what is it?"]]], "messages[0].content"),
                (["messages": [["role": "user", "content": [image, ["type": "text", "text": "a"], ["type": "text", "text": "b"]]]]], "messages[0].content"),
                (["messages": [["role": "user", "content": [["type": "input_audio", "input_audio": [:]]]]]], "messages[0].content[0].type"),
                (["messages": []], "messages"),
                ([:], "messages"),
                (try Self.body("0.png", ["temperature": 3]), "temperature"),
                (try Self.body("0.png", ["n": 17]), "n"),
                (try Self.body("0.png", ["n": 2, "num_return_sequences": 3]), "n"),
                (try Self.body("0.png", ["top_logprobs": 2]), "top_logprobs"),
                (try Self.body("0.png", ["logprobs": true, "top_logprobs": 21]), "top_logprobs"),
                (try Self.body("0.png", ["max_tokens": 0]), "max_tokens"),
                (try Self.body("0.png", ["max_completion_tokens": 5000]), "max_completion_tokens"),
                (try Self.body("0.png", ["max_tokens": 3, "max_completion_tokens": 4]), "max_tokens"),
                (try Self.body("0.png", ["stop": ["a", "b", "c", "d", "e"]]), "stop"),
                (try Self.body("0.png", ["stream_options": ["include_usage": true]]), "stream_options"),
                (try Self.body("0.png", ["num_beams": 0]), "num_beams"),
                (try Self.body("0.png", ["top_p": 2]), "top_p"),
            ]
            for (body, param) in cases {
                let reply = try await server.send("/v1/chat/completions", json: body)
                #expect(reply.status == 400, "\(param): \(reply.text)")
                let error = try #require(try reply.json()["error"] as? [String: Any], "\(reply.text)")
                #expect(error["param"] as? String == param, "\(reply.text)")
                #expect(error["type"] as? String == "invalid_request_error")
                #expect(error["code"] is String && error["message"] is String)
            }
            let malformed = try await server.send(.post, "/v1/chat/completions", contentType: "application/json", body: Data("{".utf8))
            let malformedError = try malformed.json()["error"] as? [String: Any]
            #expect(malformed.status == 400 && malformedError?["param"] is NSNull)
            let get = try await server.send(.get, "/v1/chat/completions")
            #expect(get.status == 405 && get.header("Allow") == "POST")
        }
    }

    @Test func unknownFieldsAreIgnoredAndNamed() async throws {
        try await withServer { server in
            let reply = try await server.send("/v1/chat/completions", json: Self.body("0.png", [
                "presence_penalty": 0.5, "user": "u1", "response_format": ["type": "text"], "logprobs": NSNull(),
                "temperature": 0.5,
            ]))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("X-Image2Text-Ignored-Fields") == "presence_penalty, response_format, user")
            let plain = try await server.send("/v1/chat/completions", json: Self.body("0.png"))
            #expect(plain.header("X-Image2Text-Ignored-Fields") == nil)
            // A sampling option without sampling is named, as the /v1 routes name it in "warnings".
            let warned = try await server.send("/v1/chat/completions", json: Self.body("0.png", ["top_k": 5]))
            #expect(warned.header("X-Image2Text-Warnings")?.contains("top_k") == true, "\(warned.headers)")
        }
    }

    @Test func apiKeyGuardsEveryRouteButHealth() async throws {
        try await withServer(.init(apiKey: "sesame")) { server in
            let body = try Self.body("0.png")
            let right: HTTPFields = [.authorization: "Bearer sesame"]
            for headers: HTTPFields in [[:], [.authorization: "Bearer sesam"], [.authorization: "Bearer sesame2"], [.authorization: "sesame"]] {
                let chat = try await server.send("/v1/chat/completions", json: body, headers: headers)
                #expect(chat.status == 401)
                let error = try #require(try chat.json()["error"] as? [String: Any])
                #expect(error["code"] as? String == "invalid_api_key" && error["type"] as? String == "invalid_request_error")
                #expect(try await server.send(.get, "/v1/models", headers: headers).status == 401)
                #expect(try await server.send(.get, "/metrics", headers: headers).status == 401)
                #expect(try await server.send("/v1/caption", json: ["image": try Repository.fixtureData("easyvqa/0.png").base64EncodedString()],
                                              headers: headers).status == 401)
            }
            #expect(try await server.send(.get, "/health").status == 200)
            #expect(try await server.send("/v1/chat/completions", json: body, headers: right).status == 200)
            #expect(try await server.send(.get, "/v1/models", headers: right).status == 200)
        }
    }

    @Test func corsLetsTheConfiguredOriginIn() async throws {
        try await withServer(.init(apiKey: "sesame", corsOrigin: "https://app.example.com")) { server in
            let preflight = try await server.send(.options, "/v1/chat/completions", headers: [
                .origin: "https://app.example.com", .accessControlRequestMethod: "POST",
                .accessControlRequestHeaders: "authorization, content-type",
            ])
            #expect(preflight.status == 204)
            #expect(preflight.header("Access-Control-Allow-Origin") == "https://app.example.com")
            #expect(preflight.header("Access-Control-Allow-Headers")?.lowercased().contains("authorization") == true)
            let refused = try await server.send("/v1/chat/completions", json: try Self.body("0.png"), headers: [.origin: "https://app.example.com"])
            #expect(refused.status == 401 && refused.header("Access-Control-Allow-Origin") == "https://app.example.com")
            let answered = try await server.send("/v1/chat/completions", json: try Self.body("0.png"),
                                                 headers: [.origin: "https://app.example.com", .authorization: "Bearer sesame"])
            #expect(answered.status == 200 && answered.header("Access-Control-Allow-Origin") == "https://app.example.com")
        }
        try await withServer { server in
            let reply = try await server.send(.get, "/health", headers: [.origin: "https://app.example.com"])
            #expect(reply.header("Access-Control-Allow-Origin") == nil)
        }
    }
}
