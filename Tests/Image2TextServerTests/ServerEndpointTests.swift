import Foundation
import Image2Text
import Testing
import Image2TextTestSupport

/// The endpoints answer as the library does for the same input, whichever body form carries it.
@Suite struct ServerEndpointTests {
    let model = Repository.model

    func image(_ name: String) throws -> (data: Data, decoded: RGBImage) {
        let data = try Repository.fixtureData("easyvqa/\(name)")
        return (data, try ImageDecoder.decode(data: data, source: name))
    }

    @Test func captionFromMultipartJSONAndRawBodyEqualsTheLibrary() async throws {
        let server = try await RunningServer.start()
        let (data, decoded) = try image("0.png")
        let expected = try model.caption(decoded)
        let replies = [
            try await server.send("/v1/caption", form: MultipartForm { $0.file("image", data) }),
            try await server.send("/v1/caption", json: ["image": data.base64EncodedString()]),
            try await server.send(.POST, "/v1/caption", contentType: "image/png", body: data),
        ]
        for reply in replies {
            #expect(reply.status == 200, "\(reply.text)")
            let json = try reply.json()
            #expect(json["text"] as? String == expected.text)
            #expect(json["ids"] as? [Int] == expected.ids)
            #expect(json["prompt_ids"] as? [Int] == expected.promptIds)
            #expect(json["finish_reason"] as? String == expected.finishReason.rawValue)
            // Scores agree to float rounding: OpenBLAS may split a product differently when other threads call it too.
            #expect(abs((json["score"] as? Double ?? .nan) - Double(expected.score)) < 1e-4)
            let timings = try #require(json["timings"] as? [String: Any])
            #expect((timings["batch_size"] as? Int ?? 0) >= 1)
        }
        try await server.stop()
    }

    @Test func answerAndGenerationOptionsEqualTheLibrary() async throws {
        let server = try await RunningServer.start()
        let (data, decoded) = try image("15.png")
        let question = "what color is the shape?"
        let expected = try model.answer(question, about: decoded)
        let reply = try await server.send("/v1/answer", form: MultipartForm {
            $0.file("image", data)
            $0.field("question", question)
        })
        #expect(reply.status == 200, "\(reply.text)")
        #expect(try reply.json()["answer"] as? String == expected.generatedText)
        #expect(try reply.json()["ids"] as? [Int] == expected.ids)

        // Beam search with several returned sequences, from JSON fields with transformers' names.
        let options = GenerationOptions(numBeams: 3, numReturnSequences: 2)
        let beams = try model.generate([model.request(question: question, image: model.encode(decoded))], options: options)[0]
        let beamReply = try await server.send("/v1/answer", json: [
            "image": data.base64EncodedString(), "question": question, "num_beams": 3, "num_return_sequences": 2,
        ])
        #expect(beamReply.status == 200, "\(beamReply.text)")
        let sequences = try #require(try beamReply.json()["sequences"] as? [[String: Any]])
        #expect(sequences.map { $0["ids"] as? [Int] } == beams.map(\.ids))
        #expect(sequences.map { $0["answer"] as? String } == beams.map(\.generatedText))
        try await server.stop()
    }

    @Test func classifyEqualsTheLibrary() async throws {
        let server = try await RunningServer.start()
        let (data, decoded) = try image("0.png")
        let labels = ["circle", "rectangle", "triangle"]
        let question = "what shape is in the image?"
        let expected = try model.classify(model.encode(decoded), labels: labels, question: question)
        let multipart = try await server.send("/v1/classify", form: MultipartForm { form in
            form.file("image", data)
            form.field("question", question)
            for label in labels { form.field("labels", label) }
        })
        let json = try await server.send("/v1/classify", json: ["image": data.base64EncodedString(), "question": question, "labels": labels])
        for reply in [multipart, json] {
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.json()["label"] as? String == expected.best.label)
            let ranking = try #require(try reply.json()["ranking"] as? [[String: Any]])
            #expect(ranking.map { $0["label"] as? String } == expected.ranking.map(\.label))
            for (scored, score) in zip(ranking, expected.ranking) {
                #expect(abs((scored["log_probability"] as? Double ?? .nan) - score.logProbability) < 1e-4)
            }
        }
        try await server.stop()
    }

    @Test func videoUploadEqualsTheLibrary() async throws {
        let video = try VideoCheckpoint.make()
        defer { try? FileManager.default.removeItem(at: video.directory) }
        let server = try await RunningServer.start(model: video)
        let clip = Repository.fixture("video/pan_h264.mp4")
        let expected = try video.caption(video.encode(video: VideoFile(contentsOf: clip)))
        let reply = try await server.send("/v1/caption", form: MultipartForm {
            $0.file("video", try! Data(contentsOf: clip), filename: "pan_h264.mp4", type: "video/mp4")
        })
        #expect(reply.status == 200, "\(reply.text)")
        #expect(try reply.json()["ids"] as? [Int] == expected.ids)

        // One frame of it, sampled as the library samples it.
        let oneFrame = try video.caption(video.encode(video: VideoFile(contentsOf: clip), frames: 1))
        let raw = try await server.send(.POST, "/v1/caption?frames=1", contentType: "video/mp4", body: Data(contentsOf: clip))
        #expect(raw.status == 200, "\(raw.text)")
        #expect(try raw.json()["ids"] as? [Int] == oneFrame.ids)
        try await server.stop()
    }

    @Test func healthMetricsAndOpenAPI() async throws {
        let server = try await RunningServer.start()
        let health = try await server.send(.GET, "/health")
        #expect(health.status == 200)
        #expect(try health.json()["status"] as? String == "ok")
        #expect(try health.json()["in_flight"] as? Int == 0)
        _ = try await server.send("/v1/caption", form: MultipartForm { $0.file("image", try! Repository.fixtureData("easyvqa/0.png")) })
        _ = try await server.send("/v1/caption", json: ["image": 3])
        let metrics = try await server.send(.GET, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain") == true)
        for line in [#"image2text_requests_total{endpoint="/v1/caption",method="POST",status="200"} 1"#,
                     #"image2text_requests_total{endpoint="/v1/caption",method="POST",status="400"} 1"#,
                     "image2text_batch_size_count 1", "image2text_requests_in_flight 0"] {
            #expect(metrics.text.contains(line), "missing \(line) in \(metrics.text)")
        }
        let openAPI = try await server.send(.GET, "/openapi.json")
        #expect(openAPI.status == 200)
        #expect(try openAPI.json()["openapi"] as? String == "3.1.0")
        try await server.stop()
    }
}

/// A video checkpoint made from the demo model: its weights plus 6 temporal embeddings in a second shard, and
/// `num_image_with_embedding` in its configuration, as git-base-vatex extends git-base.
enum VideoCheckpoint {
    static func make() throws -> GITModel {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("image2text-video-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: Repository.demoModel.path) where file != "config.json" {
            let name = file == "model.safetensors" ? "model-00001-of-00002.safetensors" : file
            try FileManager.default.copyItem(at: Repository.demoModel.appendingPathComponent(file), to: directory.appendingPathComponent(name))
        }
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: Repository.demoModel.appendingPathComponent("config.json"))) as! [String: Any]
        config["num_image_with_embedding"] = 6
        try JSONSerialization.data(withJSONObject: config).write(to: directory.appendingPathComponent("config.json"))
        let hidden = (config["vision_config"] as! [String: Any])["hidden_size"] as! Int
        let temporal = (0..<6).map { frame in
            let values = (0..<hidden).map { Float(sin(Double(frame * hidden + $0))) * 0.5 }
            return TensorData(name: "git.img_temperal_embedding.\(frame)", dtype: .float32, shape: [1, 1, hidden],
                              bytes: values.withUnsafeBytes { Data($0) })
        }
        try SafetensorsFile.write(temporal, to: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
        let base = try SafetensorsFile(contentsOf: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        var weightMap = Dictionary(uniqueKeysWithValues: base.tensors.map { ($0.name, "model-00001-of-00002.safetensors") })
        for tensor in temporal { weightMap[tensor.name] = "model-00002-of-00002.safetensors" }
        try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap])
            .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        return try GITModel(directory: directory)
    }
}
