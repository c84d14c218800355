import Foundation
import Testing

/// `caption --output-dir DIR`: one JSON Lines file per WebDataset shard, resumable per file, whole shards per `--shard`.
extension CLIDatasetTests {
    /// The JSON objects of a JSON Lines file, one per line.
    func jsonLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("--output-dir writes DIR/SHARD.jsonl per .tar shard with the lines --output writes; each file resumes on its own")
    func outputDirectoryPerShard() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try makeShard("shard-000.tar", members: ["a/0.png", "a/b/5.png", "notes.txt"], in: root)
        let second = try makeShard("shard-001.tar", members: ["10.png"], in: root)
        let output = root.appendingPathComponent("out").path
        let run = try cli.run(["caption", "--batch-size", "2", "--output-dir", output, first, second])
        #expect(run.status == 0 && run.stdout.isEmpty, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).sorted() == [
            "shard-000.jsonl", "shard-000.jsonl.run.json", "shard-000.jsonl.stats.json",
            "shard-001.jsonl", "shard-001.jsonl.run.json", "shard-001.jsonl.stats.json",
        ])
        let firstFile = "\(output)/shard-000.jsonl", secondFile = "\(output)/shard-001.jsonl"
        #expect(try jsonLines(firstFile).map { $0["input"] as? String } == ["\(first)#a/0.png", "\(first)#a/b/5.png"])
        #expect(try jsonLines(firstFile).map { $0["text"] as? String } == ["a red triangle", "a brown rectangle"])
        #expect(try jsonLines(secondFile).map { $0["text"] as? String } == ["a red circle"])

        // The same lines as one --output file holds, timings aside.
        let single = root.appendingPathComponent("all.jsonl").path
        #expect(try cli.run(["caption", "--output", single, first, second]).status == 0)
        func withoutTimings(_ lines: [[String: Any]]) -> [NSDictionary] {
            lines.map { $0.filter { $0.key != "timings" } as NSDictionary }
        }
        #expect(withoutTimings(try jsonLines(firstFile) + jsonLines(secondFile)) == withoutTimings(try jsonLines(single)))

        // Interrupted after the first input of shard-000, halfway through the second line: the next run cuts the
        // partial line, captions only the missing input, and leaves shard-001 as it is.
        let firstLine = try String(contentsOfFile: firstFile, encoding: .utf8).split(separator: "\n")[0]
        try Data((firstLine + "\n{\"input\":\"cut").utf8).write(to: URL(fileURLWithPath: firstFile))
        let secondBefore = try Data(contentsOf: URL(fileURLWithPath: secondFile))
        let again = try cli.run(["caption", "--output-dir", output, first, second])
        #expect(again.status == 0 && again.stdout.isEmpty, "\(again.stderr)")
        #expect(try jsonLines(firstFile).map { $0["input"] as? String } == ["\(first)#a/0.png", "\(first)#a/b/5.png"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: secondFile)) == secondBefore)
    }

    @Test("--shard I/N with --output-dir takes whole shards by their key: all of a shard's inputs, in its own file")
    func outputDirectoryShardsWholeFiles() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let shards = try [
            makeShard("shard-000.tar", members: ["a/0.png", "a/b/5.png"], in: root),
            makeShard("shard-001.tar", members: ["10.png"], in: root),
            makeShard("shard-002.tar", members: ["a/b/5.png", "10.png"], in: root),
        ]
        let output = root.appendingPathComponent("out").path
        let pattern = root.appendingPathComponent("shard-*.tar").path
        // The keys shard-000.tar, shard-001.tar and shard-002.tar hash to parts 0, 1 and 0 of 2 (``ShardPart``).
        #expect(try cli.run(["caption", "--shard", "0/2", "--output-dir", output, pattern]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasSuffix(".jsonl") }.sorted() == ["shard-000.jsonl", "shard-002.jsonl"])
        #expect(try jsonLines("\(output)/shard-000.jsonl").map { $0["input"] as? String } == ["\(shards[0])#a/0.png", "\(shards[0])#a/b/5.png"])
        #expect(try jsonLines("\(output)/shard-002.jsonl").map { $0["text"] as? String } == ["a brown rectangle", "a red circle"])
        #expect(try cli.run(["caption", "--shard", "1/2", "--output-dir", output, pattern]).status == 0)
        #expect(try jsonLines("\(output)/shard-001.jsonl").map { $0["input"] as? String } == ["\(shards[1])#10.png"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasSuffix(".stats.json") }.count == 3)
    }

    @Test("--output-dir usage errors name the problem and write nothing: with --output, an input not from a .tar, two shards with one name")
    func outputDirectoryUsageErrors() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let shard = try makeShard("shard-000.tar", members: ["a/0.png"], in: root)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("copy"), withIntermediateDirectories: true)
        let sameName = try makeShard("copy/shard-000.tar", members: ["10.png"], in: root)
        let output = root.appendingPathComponent("out").path
        let cases: [([String], String)] = [
            (["--output", "\(root.path)/all.jsonl", shard], "--output and --output-dir are mutually exclusive"),
            ([shard, "\(root.path)/10.png"], "'\(root.path)/10.png' is not a .tar file"),
            ([shard, root.path], "'\(root.path)/10.png' is not a .tar file"),
            (["-", shard], "'-' is not a .tar file"),
            ([shard, sameName], "'\(shard)' and '\(sameName)' would both write shard-000.jsonl"),
        ]
        for (arguments, message) in cases {
            let result = try cli.run(["caption", "--output-dir", output] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
