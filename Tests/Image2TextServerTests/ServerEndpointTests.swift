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
        try await withServer { server in
            let (data, decoded) = try image("0.png")
            let expected = try model.caption(decoded)
            let replies = [
                try await server.send("/v1/caption", form: MultipartForm { $0.file("image", data) }),
                try await server.send("/v1/caption", json: ["image": data.base64EncodedString()]),
                try await server.send(.post, "/v1/caption", contentType: "image/png", body: data),
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
        }
    }

    @Test func bmpAndTIFFUploadsEqualTheLibrary() async throws {
        try await withServer { server in
            for (name, contentType) in [("formats/bmp_rle8.bmp", "image/bmp"), ("formats/tiff_rgb_lzw_predictor.tif", "image/tiff")] {
                let data = try Repository.fixtureData("images/\(name)")
                let expected = try model.caption(ImageDecoder.decode(data: data, source: name))
                let reply = try await server.send(.post, "/v1/caption", contentType: contentType, body: data)
                #expect(reply.status == 200, "\(name): \(reply.text)")
                #expect(try reply.json()["ids"] as? [Int] == expected.ids, "\(name)")
            }
        }
    }

    @Test func answerAndGenerationOptionsEqualTheLibrary() async throws {
        try await withServer { server in
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
        }
    }

    @Test func classifyEqualsTheLibrary() async throws {
        try await withServer { server in
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
        }
    }

    @Test func videoUploadEqualsTheLibrary() async throws {
        let video = try GITModel(directory: DemoVideoCheckpoint.make())
        defer { try? FileManager.default.removeItem(at: video.directory) }
        try await withServer(model: video) { server in
            let clip = Repository.fixture("video/pan_h264.mp4")
            let expected = try video.caption(video.encode(video: VideoFile(contentsOf: clip)))
            let reply = try await server.send("/v1/caption", form: MultipartForm {
                $0.file("video", try! Data(contentsOf: clip), filename: "pan_h264.mp4", type: "video/mp4")
            })
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.json()["ids"] as? [Int] == expected.ids)

            // One frame of it, sampled as the library samples it.
            let oneFrame = try video.caption(video.encode(video: VideoFile(contentsOf: clip), frames: 1))
            let raw = try await server.send(.post, "/v1/caption?frames=1", contentType: "video/mp4", body: Data(contentsOf: clip))
            #expect(raw.status == 200, "\(raw.text)")
            #expect(try raw.json()["ids"] as? [Int] == oneFrame.ids)
        }
    }

    @Test func healthMetricsAndOpenAPI() async throws {
        try await withServer { server in
            let health = try await server.send(.get, "/health")
            #expect(health.status == 200)
            #expect(try health.json()["status"] as? String == "ok")
            #expect(try health.json()["in_flight"] as? Int == 0)
            _ = try await server.send("/v1/caption", form: MultipartForm { $0.file("image", try! Repository.fixtureData("easyvqa/0.png")) })
            _ = try await server.send("/v1/caption", json: ["image": 3])
            let metrics = try await server.send(.get, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("content-type")?.hasPrefix("text/plain") == true)
            for line in [#"image2text_requests_total{endpoint="/v1/caption",method="POST",status="200"} 1"#,
                         #"image2text_requests_total{endpoint="/v1/caption",method="POST",status="400"} 1"#,
                         "image2text_batch_size_count 1", "image2text_requests_in_flight 0"] {
                #expect(metrics.text.contains(line), "missing \(line) in \(metrics.text)")
            }
            let openAPI = try await server.send(.get, "/openapi.json")
            #expect(openAPI.status == 200)
            #expect(try openAPI.json()["openapi"] as? String == "3.1.0")
        }
    }
}
