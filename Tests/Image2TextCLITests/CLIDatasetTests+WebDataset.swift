import Foundation
import Image2TextTestSupport
import Testing

/// WebDataset shards as inputs: a folder of them, brace ranges, `.tar.gz`, samples keyed by `__key__` and `__url__`,
/// their `json` passed through.
extension CLIDatasetTests {
    /// `root/shards/NNN.tar` (or `.tar.gz` with `gzip`) holding WebDataset samples `NNN-i.png` + `NNN-i.json` made
    /// from the fixtures `images`.
    func makeWebDatasetShard(_ index: Int, images: [String], gzip: Bool = false, in root: URL) throws -> String {
        let files = FileManager.default
        let staging = root.appendingPathComponent("staging-\(index)")
        try files.createDirectory(at: staging, withIntermediateDirectories: true)
        try files.createDirectory(at: root.appendingPathComponent("shards"), withIntermediateDirectories: true)
        var members: [String] = []
        for (position, image) in images.enumerated() {
            let key = String(format: "%03d-%d", index, position)
            try files.copyItem(at: Repository.root.appendingPathComponent("Fixtures/easyvqa/\(image)"), to: staging.appendingPathComponent(key + ".png"))
            try Data(#"{"caption": "original \#(image)"}"#.utf8).write(to: staging.appendingPathComponent(key + ".json"))
            members += [key + ".png", key + ".json"]
        }
        let shard = root.appendingPathComponent(String(format: "shards/%03d.tar", index) + (gzip ? ".gz" : ""))
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = [gzip ? "-czf" : "-cf", shard.path, "-C", staging.path] + members
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        try files.removeItem(at: staging)
        return shard.path
    }

    @Test("a folder of .tar and .tar.gz shards: each sample a record with key SHARD#__key__, __key__, __url__, and --include-json's json")
    func folderOfShards() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let plain = try makeWebDatasetShard(0, images: ["0.png", "5.png"], in: root)
        let gzipped = try makeWebDatasetShard(1, images: ["10.png"], gzip: true, in: root)
        let output = root.appendingPathComponent("out.jsonl").path
        let run = try cli.run(["caption", "--include-json", "-o", output, root.appendingPathComponent("shards").path])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try records(output)
        #expect(lines.map { $0["key"] as? String } == ["000.tar#000-0", "000.tar#000-1", "001.tar.gz#001-0"])
        #expect(lines.map { $0["__key__"] as? String } == ["000-0", "000-1", "001-0"])
        #expect(lines.map { $0["__url__"] as? String } == [plain, plain, gzipped])
        #expect(lines.map { $0["input"] as? String } == ["\(plain)#000-0.png", "\(plain)#000-1.png", "\(gzipped)#001-0.png"])
        #expect(lines.map { $0["text"] as? String } == ["a red triangle", "a brown rectangle", "a red circle"])
        #expect(lines.map { ($0["json"] as? [String: String])?["caption"] } == ["original 0.png", "original 5.png", "original 10.png"])

        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try cli.run(["caption", empty.path])
        #expect(none.status == 1 && none.stderr == "Error: \(empty.path): no image, video or WebDataset shard (.tar, .tar.gz) in the directory\n")
    }

    @Test("a shard in pax format, as Python's tarfile and WebDataset's TarWriter write it: samples keep their long and non-ASCII keys")
    func paxFormatShard() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("out.jsonl").path
        let run = try cli.run(["caption", "-o", output, Repository.fixture("datasets/pax-shard.tar").path])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try records(output)
        let long = "shard-0/" + String(repeating: "long-key-", count: 14) + "0001"
        #expect(lines.map { $0["__key__"] as? String } == [long, "shard-0/café-über-0002"])
        #expect(lines.map { $0["text"] as? String } == ["a red triangle", "a red circle"])
    }

    @Test("brace ranges name shards (zero-padded); --output-dir writes a file, run identity and statistics per shard")
    func braceRangeAndOutputDirectory() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        for index in 0..<3 { _ = try makeWebDatasetShard(index, images: ["\(index * 5).png"], in: root) }
        let pattern = root.appendingPathComponent("shards/{000..002}.tar").path
        let printed = try cli.run(["caption", "--output", "-", pattern])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(Self.withoutTimings(printed.stdout).map { $0["key"] as? String } == ["000.tar#000-0", "001.tar#001-0", "002.tar#002-0"])
        let directory = root.appendingPathComponent("out").path
        #expect(try cli.run(["caption", "--output-dir", directory, pattern]).status == 0)
        for name in ["000", "001", "002"] {
            let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).jsonl.stats.json"))) as? [String: Any])
            #expect(stats["done"] as? Int == 1 && stats["failed"] as? Int == 0)
            #expect(FileManager.default.fileExists(atPath: "\(directory)/\(name).jsonl.run.json"))
        }
        let missing = try cli.run(["caption", root.appendingPathComponent("shards/{003..004}.tar").path])
        #expect(missing.status == 1 && missing.stderr.contains("003.tar: cannot read the archive: file not found"), "\(missing.stderr)")
        let bad = try cli.run(["caption", root.appendingPathComponent("shards/{000..002.tar").path])
        #expect(bad.status == 1 && bad.stderr.contains("brace expression at byte"), "\(bad.stderr)")
    }
}
