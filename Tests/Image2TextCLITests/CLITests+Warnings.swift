import Foundation
import Testing

/// Options without effect are warned about on standard error, one line each, as transformers warns; the captions are
/// those without them.
extension CLITests {
    @Test("sampling options without --do-sample, beam options with one beam, a minimum past the maximum: one Warning line each",
          arguments: [
        (["--temperature", "0.5"], ["temperature: 0.5 has no effect without do_sample"]),
        (["--top-k", "5", "--top-p", "0.9"], ["top_p: 0.9 has no effect without do_sample", "top_k: 5 has no effect without do_sample"]),
        (["--length-penalty", "0.5"], ["length_penalty: 0.5 has no effect with num_beams 1"]),
        (["--min-new-tokens", "25"], ["min_new_tokens: 25 new tokens after the 1-token prompt make 26, more than the longest sequence, 21 tokens"]),
        (["--do-sample", "--seed", "3", "--temperature", "0.5"], []),
        (["--num-beams", "2", "--length-penalty", "0.5", "--early-stopping", "never"], []),
        (["--top-k", "50", "--temperature", "1"], []),
    ])
    func warnings(arguments: [String], warnings: [String]) throws {
        let result = try run(["caption"] + arguments + ["Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(result.status == 0 && result.stdout.split(separator: "\n").count == 2, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == warnings.count && zip(lines, warnings).allSatisfy { $0.hasPrefix("Warning: " + $1) }, "\(result.stderr)")
    }

    @Test("ask warns with its own prompt's length; a warning does not change the answer")
    func askWarnings() throws {
        let plain = try run(["ask", "Fixtures/easyvqa/0.png", "what shape is in the image?"])
        let warned = try run(["ask", "--temperature", "3", "Fixtures/easyvqa/0.png", "what shape is in the image?"])
        #expect(warned.status == 0 && warned.stdout == plain.stdout)
        #expect(warned.stderr.hasPrefix("Warning: temperature: 3.0 has no effect without do_sample"), "\(warned.stderr)")
        let long = try run(["ask", "--min-new-tokens", "30", "Fixtures/easyvqa/0.png", "what shape is in the image?"])
        #expect(long.stderr.contains("after the 8-token prompt"), "\(long.stderr)")
    }
}
