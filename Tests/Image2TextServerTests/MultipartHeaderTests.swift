import Foundation
import Testing
import Image2TextTestSupport

/// Multipart bodies the fuzzer (Fuzz/, target `server`) found crashing the process: a part header whose name has a
/// byte outside ASCII made MultipartKit trap. Such bodies now get 400 and the server keeps serving; non-ASCII header
/// values (a UTF-8 file name) still work.
@Suite struct MultipartHeaderTests {
    let png = try! Repository.fixtureData("easyvqa/0.png")

    /// A multipart body of one image part, its header lines given as bytes.
    func body(boundary: String, headerLines: [[UInt8]]) -> Data {
        var bytes = Array("--\(boundary)\r\n".utf8)
        for line in headerLines { bytes += line + Array("\r\n".utf8) }
        bytes += Array("\r\n".utf8) + png + Array("\r\n--\(boundary)--\r\n".utf8)
        return Data(bytes)
    }

    @Test func nonASCIIHeaderNameIsRefusedAndTheServerKeepsServing() async throws {
        try await withServer { server in
            let disposition = Array("Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"".utf8)
            // The fuzzer's input, minimized: "Content-Type" with its 'y' turned into 0xb6.
            let badName = body(boundary: "b0undary", headerLines: [disposition, Array("Content-".utf8) + [0xb6] + Array("pe: image/png".utf8)])
            let refused = try await server.send(.post, "/v1/caption", contentType: "multipart/form-data; boundary=b0undary", body: badName)
            #expect(refused.status == 400, "\(refused.text)")
            #expect(try refused.errorCode() == "invalid_request")
            #expect(try refused.errorMessage()?.contains("multipart") == true, "\(refused.text)")

            let utf8FileName = body(boundary: "b0undary", headerLines: [Array("Content-Disposition: form-data; name=\"image\"; filename=\"çà.png\"".utf8)])
            let accepted = try await server.send(.post, "/v1/caption", contentType: "multipart/form-data; boundary=b0undary", body: utf8FileName)
            #expect(accepted.status == 200, "\(accepted.text)")
        }
    }
}
