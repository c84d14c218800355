import Foundation
import Image2Text
@testable import Image2TextServer
import Testing
import Image2TextTestSupport

/// What the server reads as the CLI does: data: URIs where base64 is taken, comma-separated labels, booleans and
/// numbers in any body form; and the generation options' warnings in the response.
extension ServerFieldTests {
    @Test("a base64 data: URI is taken as image, video and image_url (no fetch); one without base64 is refused by name")
    func dataURIs() async throws {
        try await withServer { server in
            let bare = try await server.send("/v1/caption", json: ["image": png.base64EncodedString()])
            let expected = try #require(try bare.json()["ids"] as? [Int])
            for (field, uri) in [("image", "data:image/png;base64,"), ("image_url", "data:image/png;base64,"),
                                 ("image", "DATA:;charset=x;BASE64,")] {
                let reply = try await server.send("/v1/caption", json: [field: uri + png.base64EncodedString()])
                #expect(try reply.status == 200 && reply.json()["ids"] as? [Int] == expected, "\(field) \(uri): \(reply.text)")
            }
            let question = try await server.send("/v1/answer", json: ["image_url": "data:image/png;base64," + png.base64EncodedString(),
                                                                     "question": "what shape is in the image?"])
            #expect(try question.status == 200 && question.json()["input"] as? String == "image_url", "\(question.text)")
            for (field, uri) in [("image", "data:image/png,%89PNG"), ("image_url", "data:text/plain,hello"), ("image", "data:image/png;base64,")] {
                let reply = try await server.send("/v1/caption", json: [field: uri])
                #expect(try reply.status == 400 && reply.errorMessage()?.hasPrefix("\(field): ") == true, "\(uri): \(reply.text)")
            }
        }
    }

    @Test("labels as one comma-separated string are split as the CLI's --labels (LabelList); a list is taken label by label")
    func commaSeparatedLabels() async throws {
        #expect(LabelList.commaSeparated(" circle, rectangle ,triangle") == ["circle", "rectangle", "triangle"])
        #expect(LabelList.commaSeparated("a,,b") == ["a", "", "b"])
        try await withServer { server in
            let text = "circle, rectangle,triangle"
            let replies = [
                try await server.send("/v1/classify", json: ["image": png.base64EncodedString(), "labels": text]),
                try await server.send("/v1/classify", form: MultipartForm { form in
                    form.file("image", png)
                    form.field("labels", text)
                }),
                try await server.send(.post, "/v1/classify?labels=circle,%20rectangle,triangle", contentType: "image/png", body: png),
            ]
            let rankings = try replies.map { reply in
                try #require(try reply.json()["ranking"] as? [[String: Any]], "\(reply.text)").compactMap { $0["label"] as? String }
            }
            #expect(Set(rankings[0]) == ["circle", "rectangle", "triangle"] && rankings.allSatisfy { $0 == rankings[0] }, "\(rankings)")
            let list = try await server.send("/v1/classify", json: ["image": png.base64EncodedString(), "labels": ["red, circle", "triangle"]])
            #expect(try (list.json()["ranking"] as? [[String: Any]])?.compactMap { $0["label"] as? String }.sorted() == ["red, circle", "triangle"])
            let empty = try await server.send("/v1/classify", json: ["image": png.base64EncodedString(), "labels": "circle,"])
            #expect(try empty.status == 400 && empty.errorMessage() == "labels: the label \"\" has no tokens", "\(empty.text)")
        }
    }

    @Test("every kind of field means the same as a JSON number or boolean, as numeric text, as a form field and in a query")
    func numbersAndNumericText() async throws {
        try await withServer { server in
            for (field, value, extra) in [("num_beams", "2", [:]), ("max_new_tokens", "3", [:]), ("repetition_penalty", "1.5", [:]),
                                          ("do_sample", "1", ["seed": "5"]), ("exif_orientation", "1", [:]),
                                          ("exif_orientation", "0", [:]), ("temperature", "0.5", ["do_sample": "true", "seed": "5"])] {
                let replies = try await replies(server, field, value, extra: extra)
                let ids = try replies.map { form, reply in
                    #expect(reply.status == 200, "\(form) \(field)=\(value): \(reply.text)")
                    return try reply.json()["ids"] as? [Int]
                }
                #expect(ids.allSatisfy { $0 != nil && $0 == ids[0] }, "\(field)=\(value): \(ids)")
            }
            for (form, reply) in try await replies(server, "do_sample", "2") {
                #expect(try reply.status == 400 && reply.errorMessage()?.hasPrefix("do_sample: must be true or false") == true, "\(form): \(reply.text)")
            }
        }
    }

    @Test("options without effect: the result as without them, with their warnings; none when every option acts")
    func warningsInTheResponse() async throws {
        try await withServer { server in
            let image = png.base64EncodedString()
            let plain = try await server.send("/v1/caption", json: ["image": image])
            #expect(try plain.json()["warnings"] == nil)
            let warned = try await server.send("/v1/caption", json: ["image": image, "temperature": 0.5, "length_penalty": 2])
            #expect(try warned.status == 200 && warned.json()["ids"] as? [Int] == plain.json()["ids"] as? [Int], "\(warned.text)")
            let warnings = try #require(try warned.json()["warnings"] as? [String], "\(warned.text)")
            #expect(warnings.count == 2 && warnings[0].hasPrefix("temperature: 0.5 has no effect without do_sample")
                    && warnings[1].hasPrefix("length_penalty: 2.0 has no effect with num_beams 1"), "\(warnings)")
            let sampled = try await server.send("/v1/caption", json: ["image": image, "temperature": 0.5, "do_sample": true, "seed": 1])
            #expect(try sampled.status == 200 && sampled.json()["warnings"] == nil, "\(sampled.text)")
            let long = try await server.send("/v1/answer", json: ["image": image, "question": "what shape is in the image?", "min_new_tokens": 30])
            #expect(try (long.json()["warnings"] as? [String])?.first?.hasPrefix("min_new_tokens: 30 new tokens after the 8-token prompt") == true,
                    "\(long.text)")
        }
    }
}
