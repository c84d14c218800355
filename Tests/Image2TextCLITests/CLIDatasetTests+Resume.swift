import Foundation
import Testing

/// Resuming from `--output` and `--output-dir` files that hold something other than our results.
extension CLIDatasetTests {
    @Test("--output: a line that is not a result stops the command, naming the file and the line, unless --ignore-bad-output-lines; an incomplete last line is cut with a note")
    func outputFileWithBadLines() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("out.jsonl")
        #expect(try cli.run(["caption", "--output", output.path, root.path]).status == 0)
        let results = try String(contentsOf: output, encoding: .utf8)
        #expect(results.split(separator: "\n").count == 3)
        try Data((results + "not a result\n").utf8).write(to: output)

        let stopped = try cli.run(["caption", "--output", output.path, root.path])
        #expect(stopped.status == 1 && stopped.stdout.isEmpty)
        #expect(stopped.stderr.hasPrefix("Error: \(output.path): line 4 is not an image2text result (not a result); "), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("--ignore-bad-output-lines") && stopped.stderr.split(separator: "\n").count == 1)
        #expect(try String(contentsOf: output, encoding: .utf8) == results + "not a result\n")

        // A killed run leaves part of a line: it is cut off, with a note, and its input done again.
        try Data((results + "not a result\n" + #"{"key":"new.png","st"#).utf8).write(to: output)
        try FileManager.default.copyItem(at: root.appendingPathComponent("10.png"), to: root.appendingPathComponent("new.png"))
        let resumed = try cli.run(["caption", "--ignore-bad-output-lines", "--output", output.path, root.path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.hasPrefix("""
            Note: \(output.path): line 5 is incomplete (an interrupted run); it is removed and its input done again
            Note: \(output.path): 1 line that is not an image2text result is left as it is (the first: line 4)
            Summary: 1 done, 3 skipped, 0 failed in
            """), "\(resumed.stderr)")
        let after = try String(contentsOf: output, encoding: .utf8)
        #expect(after.hasPrefix(results + "not a result\n") && after.split(separator: "\n").count == 5 && after.hasSuffix("\n"))
        let last = after.split(separator: "\n").last ?? ""
        #expect(last.contains("\"input\":\"\(root.path)/new.png\"") && last.contains("\"text\":\"a red circle\""))
        #expect(last.contains("\"key\":\"new.png\"") && last.contains("\"status\":\"ok\""))
    }

    @Test("--output-dir: a shard file with a line that is not a result stops the command before any shard is captioned")
    func outputDirectoryWithBadLines() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try makeShard("shard-000.tar", members: ["a/0.png"], in: root)
        let second = try makeShard("shard-001.tar", members: ["10.png"], in: root)
        let output = root.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let bad = output.appendingPathComponent("shard-001.jsonl")
        try Data("[1, 2]\n".utf8).write(to: bad)

        let stopped = try cli.run(["caption", "--output-dir", output.path, first, second])
        #expect(stopped.status == 1)
        #expect(stopped.stderr.hasPrefix("Error: \(bad.path): line 1 is not an image2text result ([1, 2]); "), "\(stopped.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["shard-001.jsonl"])
        #expect(try cli.run(["caption", "--ignore-bad-output-lines", "--output-dir", output.path, first, second]).status == 0)
        let repaired = try String(contentsOf: bad, encoding: .utf8)
        #expect(repaired.hasPrefix("[1, 2]\n{") && repaired.contains("\"input\":\"\(second)#10.png\""))
        #expect(repaired.contains("\"key\":\"shard-001.tar#10\"") && repaired.contains("\"__key__\":\"10\""))
    }
}
