import Foundation
import Testing

/// Runs the built `image2text` binary and checks its whole stdout and exit code (ArgumentParser's
/// AssertExecuteCommand style). The binary sits next to the test bundle in the build folder.
@Suite struct CLITests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = Bundle.main.bundleURL.appendingPathComponent("image2text")

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = Self.repositoryRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    let vocabulary = "Fixtures/vocab/bert-base-uncased-vocab.txt"

    @Test func tokenizePrintsIds() throws {
        let result = try run(["tokenize", "--vocab", vocabulary, "What is in the image?"])
        #expect(result.status == 0)
        #expect(result.stdout == "101 2054 2003 1999 1996 3746 1029 102\n")
    }

    @Test func tokenizeJSON() throws {
        let result = try run(["tokenize", "--json", "--vocab", vocabulary, "Héllo wörld!"])
        #expect(result.status == 0)
        #expect(result.stdout == #"{"ids":[101,7592,2088,999,102],"tokens":["[CLS]","hello","world","!","[SEP]"]}"# + "\n")
    }

    @Test func detokenize() throws {
        let plain = try run(["detokenize", "--vocab", vocabulary, "101", "1037", "2158", "1005", "1055", "3797", "1012", "102"])
        #expect(plain.status == 0 && plain.stdout == "[CLS] a man ' s shirt. [SEP]\n")
        let skipped = try run(["detokenize", "--skip-special-tokens", "--vocab", vocabulary, "101", "7592", "100", "2088", "102"])
        #expect(skipped.stdout == "hello world\n")
    }

    @Test("preprocess writes a .npy whose pixel values are transformers' (sha256 from the preprocess golden)")
    func preprocess() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString).npy")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try run(["preprocess", "Fixtures/images/chelsea.png", "--model", "Fixtures/prng-checkpoint",
                              "--output", output.path])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("shape [3, 224, 224] sha256 59ba65f37c29915984addd8e4d8856f9c1579c284af0ef0260bc4f25eadbbab9"))
        let npy = try Data(contentsOf: output)
        #expect(npy.count > 3 * 224 * 224 * 4 && npy.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
    }

    @Test("inspect the bundled demo model, and without --model the demo model is the default")
    func inspect() throws {
        let result = try run(["inspect", "Models/git-tiny-easyvqa"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("weights: safetensors (1 file), dtype F32"))
        #expect(result.stdout.contains("  output.weight"))
        let json = try run(["inspect", "--json", "Models/git-tiny-easyvqa"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["tensors"] as? [Any])?.isEmpty == false)
        let byDefault = try run(["tokenize", "a blue circle"], environment: ["IMAGE2TEXT_MODEL": "Models/git-tiny-easyvqa"])
        #expect(byDefault.status == 0 && !byDefault.stdout.isEmpty)
    }

    @Test("bad input: one line naming the file on stderr, non-zero exit", arguments: [
        ["preprocess", "Fixtures/images/bad/truncated.jpg", "--model", "Fixtures/prng-checkpoint", "--output", "/tmp/never.npy"],
        ["preprocess", "Fixtures/images/bad/text.jpg", "--model", "Fixtures/prng-checkpoint", "--output", "/tmp/never.npy"],
        ["inspect", "Fixtures/nonexistent-model"],
        ["inspect", "Fixtures/prng-checkpoint"],
        ["tokenize", "--vocab", "Fixtures/nonexistent-vocab.txt", "hello"],
        ["detokenize", "--vocab", "Fixtures/vocab/bert-base-uncased-vocab.txt", "99999"],
    ])
    func badInput(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
