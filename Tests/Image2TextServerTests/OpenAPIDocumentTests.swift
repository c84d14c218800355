import Foundation
import Testing
@testable import Image2TextServer
import Image2TextTestSupport

/// The OpenAPI document describes the server that is running: its paths are the routes, its request schemas list the
/// fields the endpoints read, and the server takes every one of them.
@Suite struct OpenAPIDocumentTests {
    let document = try! JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as! [String: Any]

    func schema(_ name: String) -> [String: Any] {
        ((document["components"] as! [String: Any])["schemas"] as! [String: Any])[name] as! [String: Any]
    }

    @Test func pathsAreTheRoutes() {
        let paths = Set((document["paths"] as! [String: Any]).keys)
        #expect(paths == Set(RequestHandler.routes.map(\.path)))
    }

    @Test func requestSchemasListTheFieldsRead() {
        for (endpoint, name) in [(Endpoint.caption, "GenerationFields"), (.answer, "GenerationFields"), (.classify, "ClassificationFields")] {
            let properties = Set((schema(name)["properties"] as! [String: Any]).keys)
            #expect(properties == Set(InferenceRequest.fieldNames(endpoint)), "\(endpoint)")
        }
    }

    /// The chat completion's schema lists every field the route reads, with the bounds it reads them with.
    @Test func chatCompletionSchemaListsTheFieldsRead() throws {
        let properties = schema("ChatCompletionRequest")["properties"] as! [String: [String: Any]]
        #expect(Set(properties.keys) == Set(ChatCompletionRequest.fieldNames))
        #expect(properties["n"]?["maximum"] as? Int == ServerConfiguration.maximumBeams)
        #expect(properties["top_logprobs"]?["maximum"] as? Int == ServerConfiguration.maximumTopLogprobs)
        let stop = try #require((properties["stop"]?["oneOf"] as? [[String: Any]])?.last)
        #expect(stop["maxItems"] as? Int == ServerConfiguration.maximumStopStrings)
        #expect((stop["items"] as? [String: Any])?["maxLength"] as? Int == ServerConfiguration.maximumStopStringLength)
        let messages = try #require(properties["messages"])
        #expect(messages["maxItems"] as? Int == 1)
    }

    /// The documented bounds are those the server reads the fields with: an integer field's minimum and maximum are
    /// its range (`seed`: any UInt64), and at most ``ServerConfiguration/maximumLabels`` labels.
    @Test func fieldBoundsAreTheServers() throws {
        for name in ["GenerationFields", "ClassificationFields"] {
            let properties = schema(name)["properties"] as! [String: [String: Any]]
            for (field, property) in properties where property["type"] as? String == "integer" {
                if field == "seed" {
                    #expect(property["minimum"] as? UInt64 == 0 && property["maximum"] as? UInt64 == .max, "\(property)")
                    continue
                }
                let range = try #require(InferenceRequest.range(of: field), "\(field)")
                #expect(property["minimum"] as? Int == range.lowerBound, "\(name).\(field)")
                #expect(property["maximum"] as? Int == range.upperBound, "\(name).\(field)")
            }
        }
        let labels = (schema("ClassificationFields")["properties"] as! [String: [String: Any]])["labels"]!
        #expect(labels["maxItems"] as? Int == ServerConfiguration.maximumLabels)
    }

    /// Each documented field alone is never refused as unknown (it may be refused for its value).
    @Test func theServerTakesEveryDocumentedField() async throws {
        try await withServer { server in
            let png = try Repository.fixtureData("easyvqa/0.png").base64EncodedString()
            for endpoint in Endpoint.allCases {
                for field in InferenceRequest.fieldNames(endpoint) where !["image", "video", "image_url"].contains(field) {
                    var body: [String: Any] = ["image": png, field: field == "labels" || field == "bad_words" ? ["x"] : 1]
                    if endpoint == .answer { body["question"] = "what shape is in the image?" }
                    if endpoint == .classify, field != "labels" { body["labels"] = ["circle"] }
                    let reply = try await server.send(endpoint.path, json: body)
                    #expect(try reply.errorMessage()?.contains("is not a field") != true, "\(endpoint.path) \(field): \(reply.text)")
                }
            }
        }
    }
}
