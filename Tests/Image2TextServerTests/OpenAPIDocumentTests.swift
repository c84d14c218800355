import Foundation
import Testing
@testable import Image2TextServer

/// The OpenAPI document describes the server that is running: its paths are the routes, its request schemas list the
/// fields the endpoints read, and the server takes every one of them.
@Suite struct OpenAPIDocumentTests {
    let document = try! JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as! [String: Any]

    func schema(_ name: String) -> [String: Any] {
        ((document["components"] as! [String: Any])["schemas"] as! [String: Any])[name] as! [String: Any]
    }

    @Test func pathsAreTheRoutes() {
        let paths = Set((document["paths"] as! [String: Any]).keys)
        #expect(paths == Set(Endpoint.allCases.map(\.path) + ["/health", "/metrics", "/openapi.json"]))
    }

    @Test func requestSchemasListTheFieldsRead() {
        for (endpoint, name) in [(Endpoint.caption, "GenerationFields"), (.answer, "GenerationFields"), (.classify, "ClassificationFields")] {
            let properties = Set((schema(name)["properties"] as! [String: Any]).keys)
            #expect(properties == Set(InferenceRequest.fieldNames(endpoint)), "\(endpoint)")
        }
    }

    /// Each documented field alone is never refused as unknown (it may be refused for its value).
    @Test func theServerTakesEveryDocumentedField() async throws {
        let server = try await RunningServer.start()
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
        try await server.stop()
    }
}
