import Foundation
import Hummingbird
import Image2Text
import Image2TextServer
import Logging
import Testing
import Image2TextTestSupport

/// Bad bodies, limits and misbehaving clients: each gets a clear error and leaves the server serving.
@Suite struct ServerLimitTests {
    let png = try! Repository.fixtureData("easyvqa/0.png")

    @Test func malformedBodiesAreRefusedByName() async throws {
        try await withServer { server in
            let base64 = png.base64EncodedString()
            let cases: [(path: String, contentType: String?, body: Data, status: Int, code: String, mentions: String)] = [
                ("/v1/caption", "application/json", Data("{\"image\": ".utf8), 400, "invalid_request", "not valid JSON"),
                ("/v1/caption", "application/json", Data("[1, 2]".utf8), 400, "invalid_request", "object"),
                ("/v1/caption", "application/json", json(["imag": base64]), 400, "invalid_field", "image"),
                ("/v1/caption", "application/json", json(["image": base64, "colour": "red"]), 400, "invalid_field", "colour"),
                ("/v1/caption", "application/json", json(["image": base64, "question": "why?"]), 400, "invalid_field", "/v1/answer"),
                ("/v1/answer", "application/json", json(["image": base64]), 400, "invalid_field", "question"),
                ("/v1/answer", "application/json", json(["image": base64, "question": ""]), 400, "invalid_request", "question"),
                ("/v1/caption", "application/json", json(["image": base64, "num_beams": "many"]), 400, "invalid_field", "num_beams"),
                ("/v1/caption", "application/json", json(["image": base64, "temperature": -1, "do_sample": true]), 400, "invalid_request", "temperature"),
                ("/v1/caption", "application/json", json(["image": base64, "num_beams": 64]), 400, "invalid_field", "num_beams"),
                ("/v1/caption", "application/json", json(["image": "@@not base64@@"]), 400, "invalid_field", "base64"),
                ("/v1/caption", "application/json", json(["image": Data("hello, world".utf8).base64EncodedString()]), 422, "unreadable_image",
                 "not a JPEG, PNG, GIF, WebP, BMP or TIFF image (it starts with 68 65 6c 6c 6f 2c 20 77)"),
                ("/v1/caption", "application/json", json(["image": base64.dropLast(400) + ""]), 422, "unreadable_image", "image"),
                ("/v1/classify", "application/json", json(["image": base64]), 400, "invalid_field", "labels"),
                ("/v1/classify", "application/json", json(["image": base64, "labels": []]), 400, "invalid_request", "labels"),
                ("/v1/classify", "application/json", json(["image": base64, "labels": ["a"], "num_beams": 2]), 400, "invalid_field", "num_beams"),
                ("/v1/caption", "text/plain", png, 415, "unsupported_media_type", "Content-Type"),
                ("/v1/caption", nil, png, 415, "unsupported_media_type", "Content-Type"),
                ("/v1/caption", "multipart/form-data", png, 400, "invalid_request", "boundary"),
                ("/v1/caption", "multipart/form-data; boundary=xyz", png, 400, "invalid_request", "multipart"),
                ("/v1/caption", "image/png", Data(), 400, "invalid_field", "empty"),
                ("/v1/caption", "application/json", json(["image_url": "http://127.0.0.1/x.png"]), 400, "url_fetching_disabled", "image_url"),
            ]
            for (path, contentType, body, status, code, mentions) in cases {
                let reply = try await server.send(.post, path, contentType: contentType, body: body)
                #expect(reply.status == status, "\(path) \(contentType ?? "-"): \(reply.text)")
                #expect(try reply.errorCode() == code, "\(path): \(reply.text)")
                #expect(try reply.errorMessage()?.contains(mentions) == true, "\(path): \(reply.text) should mention \(mentions)")
            }
            // A video sent to an image checkpoint is named as not an image.
            let video = try await server.send(.post, "/v1/caption", contentType: "video/mp4", body: Repository.fixtureData("video/pan_h264.mp4"))
            #expect(video.status == 422)
            #expect(try video.errorCode() == "unreadable_image")
            #expect([404, 405].contains(try await server.send(.get, "/v1/caption").status))
            #expect(try await server.send(.get, "/nothing").status == 404)
            #expect(try await server.send("/v1/caption", form: MultipartForm { $0.file("image", png) }).status == 200)
        }
    }

    @Test func oversizeBodiesAndImagesGet413() async throws {
        try await withServer(.init(maxBodyBytes: 2_000, maxPixels: 60 * 60), .live) { server in
            let large = Data(repeating: 0x41, count: 50_000)
            let declared = try await server.send(.post, "/v1/caption", contentType: "image/png", body: large)
            #expect(declared.status == 413)
            #expect(try declared.errorCode() == "body_too_large")
            #expect(try declared.errorMessage()?.contains("2000 bytes") == true)

            // Chunked, without a declared length: refused once more than the limit has arrived.
            let connection = try RawConnection(port: server.port)
            try connection.send("POST /v1/caption HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<5 { try connection.send("3e8\r\n" + String(repeating: "A", count: 1000) + "\r\n") }
            try connection.send("0\r\n\r\n")
            #expect(await connection.receive(seconds: 5).hasPrefix("HTTP/1.1 413"))

            // The demo images are 64×64 = 4096 pixels, over this server's 3600.
            let pixels = try await server.send(.post, "/v1/caption", contentType: "image/png", body: png)
            #expect(pixels.status == 413, "\(pixels.text)")
            #expect(try pixels.errorCode() == "too_many_pixels")
            #expect(try pixels.errorMessage()?.contains("3600") == true)
        }
    }

    /// A client that stalls its upload holds the only slot: others get 429; when the timeout passes the stalled one
    /// gets 408 and the slot is free again. (The timeout leaves room for a machine busy compiling.)
    @Test func concurrencyLimitAndUploadTimeout() async throws {
        try await withServer(.init(maxConcurrentRequests: 1, requestTimeout: .seconds(6)), .live) { server in
            let stalled = try RawConnection(port: server.port)
            try stalled.send("POST /v1/caption HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n")
            try stalled.send(png.prefix(100))
            try await waitUntil { (try? await server.send(.get, "/health").json()["in_flight"] as? Int) == 1 }
            let refused = try await server.send(.post, "/v1/caption", contentType: "image/png", body: png)
            #expect(refused.status == 429)
            #expect(try refused.errorCode() == "too_many_requests")
            #expect(refused.header("retry-after") == "1")
            let started = ContinuousClock.now
            let timedOut = await stalled.receive(seconds: 20)
            #expect(timedOut.hasPrefix("HTTP/1.1 408"), "\(timedOut)")
            #expect(timedOut.contains("upload_timeout"))
            #expect(started.duration(to: .now) < .seconds(15))
            try await waitUntil { (try? await server.send(.get, "/health").json()["in_flight"] as? Int) == 0 }
            // The slot is free again (on a loaded machine the caption itself may exceed the short timeout: 503, not 429).
            #expect(try await server.send(.post, "/v1/caption", contentType: "image/png", body: png).status != 429)
        }
    }

    /// Clients hanging up halfway through their uploads leave nothing behind.
    @Test func clientDisconnectingMidUpload() async throws {
        try await withServer(.init(), .live) { server in
            for _ in 0..<5 {
                let connection = try RawConnection(port: server.port)
                try connection.send("POST /v1/caption HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: \(png.count)\r\n\r\n")
                try connection.send(png.prefix(png.count / 2))
                connection.close()
            }
            try await waitUntil { (try? await server.send(.get, "/health").json()["in_flight"] as? Int) == 0 }
            let reply = try await server.send("/v1/caption", form: MultipartForm { $0.file("image", png) })
            #expect(reply.status == 200)
            #expect(try await server.send(.get, "/metrics").text.contains("image2text_requests_in_flight 0"))
        }
    }

    /// `image_url` is fetched only from allowed hosts, and only what the origin serves as 200.
    @Test func urlFetchingFollowsTheAllowList() async throws {
        let origin = try await ImageOrigin.start(png: png)
        try await withServer(.init(urlAllowList: URLAllowList(["127.0.0.1"]))) { server in
            let expected = try Repository.model.caption(ImageDecoder.decode(data: png, source: "0.png"))
            let fetched = try await server.send("/v1/caption", json: ["image_url": "http://127.0.0.1:\(origin.port)/0.png"])
            #expect(fetched.status == 200, "\(fetched.text)")
            #expect(try fetched.json()["ids"] as? [Int] == expected.ids)
            let missing = try await server.send("/v1/caption", json: ["image_url": "http://127.0.0.1:\(origin.port)/missing.png"])
            #expect(missing.status == 422)
            #expect(try missing.errorCode() == "url_fetch_failed")
            let redirect = try await server.send("/v1/caption", json: ["image_url": "http://127.0.0.1:\(origin.port)/redirect"])
            #expect(redirect.status == 422, "a redirect is not followed: \(redirect.text)")
            let elsewhere = try await server.send("/v1/caption", json: ["image_url": "http://localhost:\(origin.port)/0.png"])
            #expect(elsewhere.status == 403)
            #expect(try elsewhere.errorCode() == "url_not_allowed")
            let scheme = try await server.send("/v1/caption", json: ["image_url": "file:///etc/passwd"])
            #expect(scheme.status == 400)
        }
        try await origin.stop()
    }

    @Test func allowListPatterns() {
        let list = URLAllowList(["images.example.com", "*.cdn.example.org"])
        #expect(list.allows(host: "IMAGES.example.com"))
        #expect(!list.allows(host: "evil-images.example.com"))
        #expect(list.allows(host: "a.cdn.example.org"))
        #expect(!list.allows(host: "cdn.example.org"))
        #expect(!list.allows(host: "xcdn.example.org"))
    }

    private func json(_ object: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: object)
    }
}
