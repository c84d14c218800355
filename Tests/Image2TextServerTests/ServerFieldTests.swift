import Foundation
import HTTPTypes
import Image2Text
@testable import Image2TextServer
import Testing
import Image2TextTestSupport

/// Field values at and past their bounds, from every body form: numbers and numeric text follow the same rules, what
/// the server cannot serve gets a 4xx naming the field, and the server keeps serving.
@Suite struct ServerFieldTests {
    let png = try! Repository.fixtureData("easyvqa/0.png")
    let model = Repository.model

    /// The field sent as a JSON number (its text spliced in as is), a JSON string, a multipart text part and a query
    /// parameter with the raw image.
    func replies(_ server: TestServer, _ field: String, _ value: String, extra: [String: String] = [:]) async throws -> [(String, HTTPReply)] {
        let fields = extra.merging([field: value]) { $1 }
        let jsonFields = fields.map { "\"\($0.key)\": \($0.key == field ? value : "\"\($0.value)\"")" }
        let number = "{\"image\": \"\(png.base64EncodedString())\", \(jsonFields.joined(separator: ", "))}"
        var json = fields.mapValues { $0 as Any }
        json["image"] = png.base64EncodedString()
        let query = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
        return [
            ("JSON number", try await server.send(.post, "/v1/caption", contentType: "application/json", body: Data(number.utf8))),
            ("JSON string", try await server.send("/v1/caption", json: json)),
            ("multipart", try await server.send("/v1/caption", form: MultipartForm { form in
                form.file("image", png)
                for (name, text) in fields { form.field(name, text) }
            })),
            ("query", try await server.send(.post, "/v1/caption?\(query)", contentType: "image/png", body: png)),
        ]
    }

    @Test("lengths from every body form: up to the position table the library's caption; past it, and near Int.max, 400 naming the field")
    func lengthsNearIntMax() async throws {
        try await withServer { server in
            let expected = try model.caption(ImageDecoder.decode(data: png, source: "0.png"))
            // The demo model's table holds 32 positions: a 1-token prompt may grow by 32 tokens (the last is never fed).
            for value in ["32", "3.2e1", "32.0"] {
                for (form, reply) in try await replies(server, "max_new_tokens", value) {
                    #expect(reply.status == 200, "\(form) \(value): \(reply.text)")
                    #expect(try reply.json()["ids"] as? [Int] == expected.ids, "\(form) \(value)")
                }
            }
            for (field, value) in [("max_new_tokens", "33"), ("max_new_tokens", "9223372036854775807"), ("max_new_tokens", "2000000000"),
                                   ("max_length", "34"), ("max_length", "9223372036854775807")] {
                for (form, reply) in try await replies(server, field, value) {
                    #expect(reply.status == 400, "\(form) \(field) \(value): \(reply.text)")
                    #expect(try reply.errorMessage()?.hasPrefix("\(field): asks for") == true, "\(form): \(reply.text)")
                    #expect(try reply.errorMessage()?.contains("max_position_embeddings 32") == true, "\(form): \(reply.text)")
                }
            }
            for value in ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e19", "7.5", "0"] {
                for (form, reply) in try await replies(server, "max_new_tokens", value) {
                    #expect(reply.status == 400, "\(form) \(value): \(reply.text)")
                    #expect(try reply.errorCode() == "invalid_field", "\(form) \(value): \(reply.text)")
                    #expect(try reply.errorMessage()?.hasPrefix("max_new_tokens: must be an integer at least 1") == true, "\(form): \(reply.text)")
                }
            }
            for (form, reply) in try await replies(server, "num_beams", "1e6") {
                #expect(try reply.status == 400 && reply.errorMessage()?.hasPrefix("num_beams: must be an integer from 1 to 16") == true,
                        "\(form): \(reply.text)")
            }
            // A minimum past the table is fine: the sequence stops at its maximum (20 new tokens by default).
            for (form, reply) in try await replies(server, "min_new_tokens", "9223372036854775807") {
                #expect(try reply.status == 200 && reply.json()["finish_reason"] as? String == "length", "\(form): \(reply.text)")
            }
            for (form, reply) in try await replies(server, "seed", "18446744073709551615", extra: ["do_sample": "true"]) {
                #expect(reply.status == 200, "\(form): \(reply.text)")
            }
            for (form, reply) in try await replies(server, "seed", "-1", extra: ["do_sample": "true"]) {
                #expect(try reply.status == 400 && reply.errorMessage()?.hasPrefix("seed:") == true, "\(form): \(reply.text)")
            }
            #expect(try await server.send(.post, "/v1/caption", contentType: "image/png", body: png).status == 200)
        }
    }

    @Test("numeric text is read as JSON numbers are: hexadecimal, inf and nan are not numbers")
    func numericTextGrammar() async throws {
        try await withServer { server in
            for value in ["0x10", "inf", "nan", "12abc", "", "1e"] {
                let reply = try await server.send(.post, "/v1/caption?max_new_tokens=\(value)", contentType: "image/png", body: png)
                #expect(try reply.status == 400 && reply.errorMessage()?.hasPrefix("max_new_tokens: must be an integer") == true, "\(value): \(reply.text)")
                let float = try await server.send(.post, "/v1/caption?temperature=\(value)&do_sample=true", contentType: "image/png", body: png)
                #expect(try float.status == 400 && float.errorMessage()?.hasPrefix("temperature: must be a number") == true, "\(value): \(float.text)")
            }
        }
    }

    @Test("subnormal, infinite and out-of-float32 values of float fields are refused by name from every body form")
    func floatFieldsRefuseNonNormalValues() async throws {
        try await withServer { server in
            for (field, value) in [("temperature", "1e-320"), ("temperature", "1e-39"), ("temperature", "1e39"), ("top_p", "5e-324"),
                                   ("repetition_penalty", "1e-320"), ("length_penalty", "1e-310")] {
                for (form, reply) in try await replies(server, field, value, extra: ["do_sample": "true"]) {
                    #expect(reply.status == 400, "\(form) \(field)=\(value): \(reply.text)")
                    #expect(try reply.errorMessage()?.hasPrefix("\(field):") == true, "\(form) \(field)=\(value): \(reply.text)")
                }
            }
            // Past Double's range as text: infinity, refused by the same check.
            let infinite = try await server.send(.post, "/v1/caption?temperature=1e999&do_sample=true", contentType: "image/png", body: png)
            #expect(try infinite.status == 400 && infinite.errorMessage()?.hasPrefix("temperature:") == true, "\(infinite.text)")
        }
    }

    @Test("an invalid or 2^64 chunk size is a 400, and the server keeps serving")
    func malformedChunkSizes() async throws {
        try await withServer(.init(), .live) { server in
            for size in ["zz", "10000000000000000", "ffffffffffffffffff"] {
                let connection = try RawConnection(port: server.port)
                try connection.send("POST /v1/caption HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n")
                try connection.send("\(size)\r\nAAAA\r\n0\r\n\r\n")
                let response = await connection.receive(seconds: 10)
                #expect(response.hasPrefix("HTTP/1.1 400") && response.contains(#""code":"invalid_request""#), "\(size): \(response)")
            }
            #expect(try await server.send(.post, "/v1/caption", contentType: "image/png", body: png).status == 200)
        }
    }

    @Test("the multipart boundary is found among any Content-Type parameters, quoted or not")
    func boundaryAfterOtherParameters() async throws {
        try await withServer { server in
            let form = MultipartForm { $0.file("image", png) }
            for contentType in ["multipart/form-data; charset=utf-8; boundary=\(form.boundary)",
                                "multipart/form-data;charset=utf-8;BOUNDARY=\"\(form.boundary)\"",
                                "Multipart/Form-Data; boundary=\(form.boundary); charset=utf-8"] {
                let reply = try await server.send(.post, "/v1/caption", contentType: contentType, body: form.body)
                #expect(reply.status == 200, "\(contentType): \(reply.text)")
            }
            let missing = try await server.send(.post, "/v1/caption", contentType: "multipart/form-data; charset=utf-8", body: form.body)
            #expect(try missing.status == 400 && missing.errorMessage()?.contains("boundary") == true, "\(missing.text)")
        }
    }

    @Test("unknown paths get 404 and other methods 405 with Allow, both with the JSON error body")
    func unroutedRequests() async throws {
        try await withServer { server in
            for path in ["/nothing", "/v1", "/v1/captions", "/health/x"] {
                let reply = try await server.send(.get, path)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.header("content-type")?.hasPrefix("application/json") == true, "\(path)")
                #expect(try reply.errorCode() == "not_found", "\(path): \(reply.text)")
            }
            for (method, path, allowed) in [(HTTPRequest.Method.get, "/v1/caption", "POST"), (.put, "/v1/classify", "POST"),
                                            (.post, "/health", "GET"), (.delete, "/metrics", "GET"), (.post, "/openapi.json", "GET")] {
                let reply = try await server.send(method, path)
                #expect(reply.status == 405, "\(method) \(path)")
                #expect(reply.header("allow") == allowed, "\(method) \(path)")
                #expect(try reply.errorCode() == "method_not_allowed", "\(method) \(path): \(reply.text)")
            }
            // The route table the 405s are drawn from is the router's.
            for (path, method) in RequestHandler.routes {
                let status = try await server.send(method, path).status
                #expect(![404, 405].contains(status), "\(method) \(path): \(status)")
            }
            let metrics = try await server.send(.get, "/metrics").text
            #expect(metrics.contains(#"method="GET",status="404"} 4"#) && metrics.contains(#"status="405"}"#), "\(metrics)")
        }
    }

    @Test("text that is not UTF-8 is named as such, not as an empty question; + in a query is a space")
    func nonUTF8Text() async throws {
        try await withServer(.init(), .live) { server in
            let boundary = "image2text-test-utf8"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"0.png\"\r\n\r\n".utf8)
            body.append(png)
            body.append(Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"question\"\r\n\r\n".utf8))
            body.append(Data([0xFF, 0xFE, 0x20, 0x61]))
            body.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let multipart = try await server.send(.post, "/v1/answer", contentType: "multipart/form-data; boundary=\(boundary)", body: body)
            #expect(try multipart.status == 400 && multipart.errorMessage() == "question: is not UTF-8 text", "\(multipart.text)")
            let query = try await server.send(.post, "/v1/answer?question=%FF%FE", contentType: "image/png", body: png)
            #expect(try query.status == 400 && query.errorMessage() == "question: is not UTF-8 text", "\(query.text)")
            // An HTTP client would encode the stray %: sent raw.
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /v1/answer?question=%G1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n")
            try connection.send(png)
            let badEscape = await connection.receive(seconds: 10)
            #expect(badEscape.hasPrefix("HTTP/1.1 400") && badEscape.contains("question: is not valid percent-encoding"), "\(badEscape)")

            let question = "what color is the shape?"
            let expected = try model.answer(question, about: ImageDecoder.decode(data: png, source: "0.png"))
            let encoded = try await server.send(.post, "/v1/answer?question=what+color+is%20the+shape%3F", contentType: "image/png", body: png)
            #expect(encoded.status == 200, "\(encoded.text)")
            #expect(try encoded.json()["answer"] as? String == expected.generatedText)
        }
    }

    @Test("a field given twice is named as repeated, not as the wrong type")
    func repeatedFields() async throws {
        try await withServer { server in
            let twoImages = try await server.send("/v1/caption", form: MultipartForm { form in
                form.file("image", png)
                form.file("image", png)
            })
            #expect(try twoImages.status == 400 && twoImages.errorMessage() == "image: is given 2 times; give it once", "\(twoImages.text)")
            let twoQuestions = try await server.send("/v1/answer", form: MultipartForm { form in
                form.file("image", png)
                form.field("question", "what shape is in the image?")
                form.field("question", "what color is the shape?")
            })
            #expect(try twoQuestions.status == 400 && twoQuestions.errorMessage()?.hasPrefix("question: is given 2 times") == true)
            let query = try await server.send(.post, "/v1/caption?num_beams=2&num_beams=3&image=x", contentType: "image/png", body: png)
            #expect(try query.status == 400 && query.errorMessage()?.contains("is given 2 times") == true, "\(query.text)")
        }
    }

    @Test("at most 1000 labels, and frames within the checkpoint's frame count, are checked before any decoding")
    func labelAndFrameLimits() async throws {
        try await withServer { server in
            let labels = (0...1000).map { "label \($0)" }
            let many = try await server.send("/v1/classify", json: ["image": png.base64EncodedString(), "labels": labels])
            #expect(try many.status == 400 && many.errorMessage()?.hasPrefix("labels: has 1001 labels") == true, "\(many.text)")
            let enough = try await server.send("/v1/classify", json: ["image": png.base64EncodedString(), "labels": Array(labels.prefix(1000))])
            #expect(enough.status == 200, "\(enough.text)")
        }

        let video = try GITModel(directory: DemoVideoCheckpoint.make())
        defer { try? FileManager.default.removeItem(at: video.directory) }
        try await withServer(model: video) { videoServer in
            for frames in ["7", "9223372036854775807"] {
                let reply = try await videoServer.send(.post, "/v1/caption?frames=\(frames)", contentType: "video/mp4",
                                                       body: Repository.fixtureData("video/pan_h264.mp4"))
                #expect(try reply.status == 422 && reply.errorCode() == "unsupported_input", "\(frames): \(reply.text)")
            }
        }
    }

    @Test("the default pixel limit is below the CLI's (Pillow's): a 25,005,000-pixel PNG header gets 413")
    func defaultPixelLimit() async throws {
        #expect(ServerConfiguration().maxPixels == ServerConfiguration.defaultMaxPixels)
        #expect(ServerConfiguration.defaultMaxPixels < ImageLimits.pillowDefault.maximumPixels)
        try await withServer { server in
            let reply = try await server.send(.post, "/v1/caption", contentType: "image/png", body: pngHeader(width: 5001, height: 5000))
            #expect(try reply.status == 413 && reply.errorCode() == "too_many_pixels", "\(reply.text)")
            #expect(try reply.errorMessage()?.contains("\(ServerConfiguration.defaultMaxPixels)") == true, "\(reply.text)")
        }
    }

    @Test("a server's default options are held to the request limits")
    func defaultOptionsAreChecked() throws {
        for options in [GenerationOptions(numBeams: 17), GenerationOptions(numReturnSequences: 17, doSample: true),
                        GenerationOptions(doSample: true, temperature: Double.leastNormalMagnitude / 1e12)] {
            #expect(throws: GenerationError.self, "\(options)") { try ServerConfiguration(defaultOptions: options).validate(for: model) }
        }
        try ServerConfiguration(defaultOptions: GenerationOptions(maxNewTokens: .max, numBeams: 16)).validate(for: model)
    }

    /// The signature and header chunk of an RGB PNG of `width` × `height`, and no pixel data.
    private func pngHeader(width: UInt32, height: UInt32) -> Data {
        var chunk = Data("IHDR".utf8)
        for value in [width, height] { withUnsafeBytes(of: value.bigEndian) { chunk.append(contentsOf: $0) } }
        chunk.append(contentsOf: [8, 2, 0, 0, 0])
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        withUnsafeBytes(of: UInt32(chunk.count - 4).bigEndian) { png.append(contentsOf: $0) }
        png.append(chunk)
        withUnsafeBytes(of: crc32(chunk).bigEndian) { png.append(contentsOf: $0) }
        return png
    }

    private func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
