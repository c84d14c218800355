import Foundation
import Image2TextTestSupport
import Testing

/// Option values at and past their bounds: the library's checks, never a trap.
extension CLITests {
    static let image = "Fixtures/easyvqa/0.png"

    @Test("lengths and other integers near Int.max: transformers' result when [SEP] comes first")
    func integerOptionsNearIntMax() throws {
        for arguments in [["--max-new-tokens", "9223372036854775807"], ["--max-length", "9223372036854775807"],
                          ["--max-new-tokens", "2000000000", "--no-repeat-ngram-size", "9223372036854775807"]] {
            let result = try run(["caption"] + arguments + [Self.image])
            #expect(result.status == 0 && result.stdout == "a red triangle\n", "\(arguments): \(result.stderr)")
        }
        let sampled = try run(["caption", "--do-sample", "--seed", "18446744073709551615", "--top-k", "9223372036854775807",
                               "--max-new-tokens", "9223372036854775807", Self.image])
        #expect(sampled.status == 0 && !sampled.stdout.isEmpty, "\(sampled.stderr)")
    }

    @Test("values past an option's bounds: one line naming the option, exit 1 as other option errors", arguments: [
        (["--num-beams", "9223372036854775807"], "Error: num_beams: must be 1 to 256, got 9223372036854775807"),
        (["--do-sample", "--num-return-sequences", "9223372036854775807"], "Error: num_return_sequences: must be 1 to 256"),
        (["--max-new-tokens=-9223372036854775808"], "Error: max_new_tokens: must be at least 1, got -9223372036854775808"),
        (["--min-length=-9223372036854775808"], "Error: min_length: must not be negative"),
        (["--max-new-tokens", "9223372036854775807", "--min-new-tokens", "9223372036854775807"],
         "Error: Fixtures/easyvqa/0.png: max_new_tokens: the sequence reached the end of the model's text position table"),
        (["--do-sample", "--temperature", "1e-320"], "Error: temperature: must be a positive number"),
        (["--do-sample", "--temperature", "1e39"], "Error: temperature: must be a positive number"),
        (["--do-sample", "--top-p", "5e-324"], "Error: top_p:"),
        (["--repetition-penalty", "inf"], "Error: repetition_penalty:"),
        (["--num-beams", "2", "--length-penalty", "nan"], "Error: length_penalty:"),
    ])
    func optionsPastTheirBounds(arguments: [String], message: String) throws {
        let result = try run(["caption"] + arguments + [Self.image])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines.first?.hasPrefix(message) == true, "\(result.stderr)")
    }

    @Test("values the flag's type cannot hold are usage errors (exit 64)", arguments: [
        ["caption", "--max-new-tokens", "9223372036854775808", "Fixtures/easyvqa/0.png"], ["caption", "--num-beams", "1e6", "Fixtures/easyvqa/0.png"],
        ["caption", "--seed", "18446744073709551616", "Fixtures/easyvqa/0.png"], ["caption", "--seed=-1", "Fixtures/easyvqa/0.png"],
        ["serve", "--max-body-mb", "1e300"], ["serve", "--max-body-mb", "inf"], ["serve", "--max-body-mb", "nan"],
        ["serve", "--request-timeout", "1e300"], ["serve", "--request-timeout", "nan"],
        ["serve", "--max-batch-wait-ms", "9223372036854775807"], ["serve", "--max-pixels", "0"],
    ])
    func unrepresentableValues(arguments: [String]) throws {
        let result = try run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("serve --help states the server's pixel limit and the CLI's; serve refuses default options a request may not set")
    func servePixelLimitAndDefaults() throws {
        let help = try run(["serve", "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "  ", with: " ")
        #expect(help.contains("178956970") && help.contains("(default: 25000000)"), "\(help)")
        let beams = try run(["serve", "--port", "0", "--num-beams", "17"])
        #expect(beams.status == 1 && beams.stderr.contains("num_beams: a server's default is at most 16"), "\(beams.stderr)")
    }

    @Test("generation_config.json with an absurd value: one line naming the file and the key, exit 1")
    func generationConfigOutOfRange() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Models/git-tiny-easyvqa"), to: folder)
        let file = folder.appendingPathComponent("generation_config.json")
        for (json, key) in [(#"{"num_beams": 1000000}"#, "num_beams"), (#"{"max_new_tokens": 9223372036854775807, "temperature": 1e-320}"#, "temperature")] {
            try Data(json.utf8).write(to: file)
            let result = try run(["caption", "--model", folder.path, Self.image])
            #expect(result.status == 1 && result.stdout.isEmpty)
            #expect(result.stderr == "Error: \(file.path): key '\(key)': " + (result.stderr.components(separatedBy: "'\(key)': ").last ?? ""),
                    "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        try Data(#"{"max_new_tokens": 9223372036854775807}"#.utf8).write(to: file)
        let long = try run(["caption", "--model", folder.path, Self.image])
        #expect(long.status == 0 && long.stdout == "a red triangle\n", "\(long.stderr)")
    }
}
