import FuzzSupport
import Image2Text
import NIOCore
@testable import Image2TextServer

private enum Demo {
    static let model = try! GITModel(directory: DemoModel.folder)
}

/// A `/v1` request's fields as the server reads them, then checked against an endpoint with the demo model. The first
/// byte picks the body form, the second the endpoint:
/// - JSON: the rest is the body;
/// - multipart: the rest's first line is the boundary, what follows the body;
/// - raw media: the rest's first line is the query string, what follows the body;
/// - a chat completion (`/v1/chat/completions`, whatever the second byte): the rest is the JSON body.
func fuzzServer(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.bytes(start, count)
    guard input.count >= 2 else { return -1 }
    let endpoint = Endpoint.allCases[Int(input[1]) % Endpoint.allCases.count]
    let rest = input.dropFirst(2)
    let line = rest.prefix { $0 != UInt8(ascii: "\n") }
    let afterLine = ByteBuffer(bytes: rest.dropFirst(line.count + 1))
    ErrorOracle.expect([APIError.self, FieldError.self, GenerationError.self]) {
        let fields: RequestFields
        if input[0] % 4 == 3 {
            _ = try ChatCompletionRequest(fields: RequestFields.json(ByteBuffer(bytes: rest)), defaults: GenerationOptions(), model: Demo.model)
            return
        }
        switch input[0] % 4 {
        case 0:
            fields = try RequestFields.json(ByteBuffer(bytes: rest))
        case 1:
            fields = try RequestFields.multipart(afterLine, boundary: String(decoding: line, as: UTF8.self))
        default:
            fields = try RequestFields.raw(afterLine, query: String(decoding: line, as: UTF8.self))
        }
        _ = try InferenceRequest(endpoint: endpoint, fields: fields, defaults: GenerationOptions(), model: Demo.model)
    }
    return 0
}

LibFuzzer.run(fuzzServer)
