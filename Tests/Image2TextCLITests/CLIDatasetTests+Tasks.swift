import Foundation
import Image2TextTestSupport
import Testing

/// `ask` and `classify` take their inputs and dataset options as `caption` does, with one fixed question (`--question`
/// / `-q` on both); `--output -` prints the JSON lines, and `--shard` says what is wrong with a part.
extension CLIDatasetTests {
    static let question = "what shape is in the image?"

    /// The JSON lines of `stdout` without their timings, which differ from run to run, and without `fields`.
    static func withoutTimings(_ stdout: String, fields: Set<String> = []) -> [NSDictionary] {
        stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?.filter { $0.key != "timings" && !fields.contains($0.key) } as NSDictionary?
        }
    }

    @Test("ask -q over a directory: one answer per input, each what asking about it alone gives; -o resumes and --shard splits")
    func askOverADataset() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let images = ["10.png", "a/0.png", "a/b/5.png"].map { root.appendingPathComponent($0).path }
        let alone = try images.map { try cli.run(["ask", $0, Self.question]).stdout }
        let tree = try cli.run(["ask", "-q", Self.question, root.path])
        #expect(tree.status == 0, "\(tree.stderr)")
        #expect(tree.stdout == zip(images, alone).map { "\($0): \($1)" }.joined(), "\(tree.stdout)")
        #expect(try cli.run(["ask", "--question", Self.question, "--batch-size", "2", root.path]).stdout == tree.stdout)

        let output = root.appendingPathComponent("answers.jsonl").path
        #expect(try cli.run(["ask", "-q", Self.question, "--shard", "1/2", "-o", output, root.path]).status == 0)
        #expect(try cli.run(["ask", "-q", Self.question, "-o", output, root.path]).status == 0)
        let again = try cli.run(["ask", "-q", Self.question, "-o", output, root.path])
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stderr)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        // Part 1 of 2 is 10.png alone (``ShardPart``); the second run adds the rest.
        #expect(lines.map { $0["input"] as? String } == images)
        #expect(lines.map { ($0["answer"] as? String ?? "") + "\n" } == alone)
        #expect(lines.map { $0["question"] as? String } == Array(repeating: Self.question, count: 3))
        #expect(lines.map { $0["key"] as? String } == ["10.png", "a/0.png", "a/b/5.png"])
    }

    @Test("ask: a positional question that names a file, or several inputs without --question, is a usage error naming --question",
          arguments: [["Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"],
                      ["Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png", "what shape is in the image?"]])
    func askRefusesAFileAsTheQuestion(arguments: [String]) throws {
        let result = try cli.run(["ask"] + arguments)
        #expect(result.status == 64 && result.stdout.isEmpty)
        #expect(result.stderr.contains("--question (-q)"), "\(result.stderr)")
    }

    @Test("classify with -q, --output - and -o: JSON lines on standard output, or appended to a file and resumed")
    func classifyOverADataset() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let arguments = ["classify", "-q", Self.question, "--labels", "circle,rectangle,triangle"]
        let printed = try cli.run(arguments + ["--output", "-", root.path])
        #expect(printed.status == 0, "\(printed.stderr)")
        let labels = printed.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["label"] as? String
        }
        #expect(labels == ["circle", "triangle", "rectangle"], "\(printed.stdout)")
        let output = root.appendingPathComponent("labels.jsonl").path
        #expect(try cli.run(arguments + ["-o", output, root.path]).status == 0)
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(Self.withoutTimings(written) == Self.withoutTimings(printed.stdout))
        let again = try cli.run(arguments + ["-o", output, root.path])
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stderr)")
        #expect(again.stderr.hasPrefix("Summary: 0 done, 3 skipped, 0 failed in ") && again.stderr.split(separator: "\n").count == 1,
                "\(again.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == written)
    }

    @Test("--output - prints the records (no file named -): the --json lines with key and status")
    func outputToStandardOutput() throws {
        let dash = Repository.root.appendingPathComponent("-")
        let result = try cli.run(["caption", "--output", "-", "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try cli.run(["caption", "--json", "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        let records = Self.withoutTimings(result.stdout, fields: ["key", "status"])
        #expect(records.count == 2 && records == Self.withoutTimings(json.stdout), "\(result.stdout)")
        #expect(Self.withoutTimings(result.stdout).map { [$0["key"] as? String, $0["status"] as? String] } == [["0.png", "ok"], ["5.png", "ok"]])
        #expect(!FileManager.default.fileExists(atPath: dash.path))
        #expect(try cli.run(["caption", "--output-dir", "-", "Fixtures/easyvqa/0.png"]).status == 64)
    }

    @Test("--shard: a part past the last, or not I/N, is a usage error that says parts count from 0", arguments: [
        ("3/3", "part I of 3 is 0 to 2 (0 ≤ I < N), got 3"), ("1/0", "N is the number of parts: at least 1"),
        ("-1/2", "part I of 2 is 0 to 1"), ("1", "two whole numbers with 0 ≤ I < N (parts count from 0)"),
    ])
    func shardMessages(shard: String, message: String) throws {
        let result = try cli.run(["caption", "--shard=\(shard)", "Fixtures/easyvqa/0.png"])
        #expect(result.status == 64 && result.stdout.isEmpty)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
