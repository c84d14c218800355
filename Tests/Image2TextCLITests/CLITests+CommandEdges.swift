import Foundation
import Image2TextTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The small commands' edges: JSON as JSON, usage errors as such, no repository files needed, a busy port named.
extension CLITests {
    @Test("inspect --json: numbers as numbers, absent settings as null, slashes unescaped; the text report as before")
    func inspectJSONTypes() throws {
        let result = try run(["inspect", "--json", "Models/git-tiny-easyvqa"])
        #expect(result.status == 0 && !result.stdout.contains(#"\/"#), "\(result.stdout.prefix(300))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["directory"] as? String)?.hasSuffix("Models/git-tiny-easyvqa") == true)
        let decoder = try #require(object["text_decoder"] as? [String: Any])
        #expect(decoder["max_position_embeddings"] as? Int == 32 && decoder["hidden_act"] as? String == "gelu")
        let vision = try #require(object["vision_tower"] as? [String: Any])
        #expect(vision["frames"] as? Int == 1 && vision["image_size"] is Int)
        let processor = try #require(object["image_processor"] as? [String: Any])
        #expect((processor["image_mean"] as? [Double])?.count == 3 && processor["rescale_factor"] is Double)
        #expect((processor["center_crop"] as? [String: Int])?.keys.sorted() == ["height", "width"])
        let tokenizer = try #require(object["tokenizer"] as? [String: Any])
        #expect(tokenizer["cls"] is Int && tokenizer["lowercase"] as? Bool == true)
        #expect(object["parameter_count"] is Int && object["weight_dtypes"] as? [String] == ["F32"])
        let text = try run(["inspect", "Models/git-tiny-easyvqa"]).stdout
        #expect(text.contains("  frames: 1 (image)\n") && text.contains("  max_position_embeddings: 32\n"), "\(text)")
    }

    @Test("detokenize with no ids is a usage error")
    func detokenizeWithoutIds() throws {
        let result = try run(["detokenize", "--vocab", vocabulary])
        #expect(result.status == 64 && result.stdout.isEmpty, "\(result.stderr)")
    }

    @Test("bench without --image times a built-in synthetic image, so that it runs outside the repository")
    func benchSyntheticImage() throws {
        let result = try run(["bench", "--json", "--repeats", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["image"] as? String == "synthetic")
    }

    @Test("preprocess -o - writes the .npy to standard output and its summary to standard error; convert refuses -")
    func outputDash() throws {
        let result = try run(["preprocess", "Fixtures/images/chelsea.png", "--model", "Fixtures/prng-checkpoint", "-o", "-"])
        #expect(result.status == 0 && result.stdout.contains("NUMPY"), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("shape [3, 224, 224] sha256 59ba65f37c29915984addd8e4d8856f9c1579c284af0ef0260bc4f25eadbbab9"))
        #expect(try run(["convert", "Models/git-tiny-easyvqa", "--dtype", "int8", "-o", "-"]).status == 64)
    }

    @Test("serve on a port in use: one line naming the address and EADDRINUSE, non-zero exit")
    func servePortInUse() throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(socket >= 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && listen(socket, 1) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let result = try run(["serve", "--port", "\(port)"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Error: 127.0.0.1:\(port) is in use (EADDRINUSE)"), "\(result.stderr)")
    }
}
