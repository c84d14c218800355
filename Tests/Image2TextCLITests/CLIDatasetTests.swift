import Foundation
import Image2TextTestSupport
import Testing

/// Dataset-scale captioning: directories, patterns, standard input and WebDataset shards as inputs; `--output` resumes
/// and `--shard I/N` splits the work.
@Suite struct CLIDatasetTests {
    let cli = CLITests()
    static let captions = ["0.png": "a red triangle", "5.png": "a brown rectangle", "10.png": "a red circle"]

    /// A temporary folder: `a/0.png`, `a/b/5.png`, `10.png`, `notes.txt`; the caller removes it.
    func makeTree() throws -> URL {
        let files = FileManager.default
        let root = files.temporaryDirectory.appendingPathComponent("image2text-dataset-\(UUID().uuidString)")
        try files.createDirectory(at: root.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        for (name, target) in [("0.png", "a/0.png"), ("5.png", "a/b/5.png"), ("10.png", "10.png")] {
            try files.copyItem(at: Repository.root.appendingPathComponent("Fixtures/easyvqa/\(name)"), to: root.appendingPathComponent(target))
        }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("notes.txt"))
        return root
    }

    /// Writes `root/NAME` as a tar archive of `members` (paths under `root`) with the system's tar; returns its path.
    func makeShard(_ name: String, members: [String], in root: URL) throws -> String {
        let shard = root.appendingPathComponent(name)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-cf", shard.path, "-C", root.path] + members
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        return shard.path
    }

    @Test("a directory (recursively, images only, sorted), a glob pattern and standard input")
    func directoriesPatternsAndStandardInput() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let tree = try cli.run(["caption", root.path])
        #expect(tree.status == 0, "\(tree.stderr)")
        #expect(tree.stdout == "\(root.path)/10.png: a red circle\n\(root.path)/a/0.png: a red triangle\n\(root.path)/a/b/5.png: a brown rectangle\n")
        let pattern = try cli.run(["caption", "Fixtures/easyvqa/1?.png"])
        #expect(pattern.stdout.hasPrefix("Fixtures/easyvqa/10.png: a red circle\nFixtures/easyvqa/15.png: "), "\(pattern.stdout)")
        #expect(try cli.run(["caption", "Fixtures/easyvqa/nothing-*.png"]).stderr.contains("no file matches the pattern"))
        let image = try Data(contentsOf: Repository.root.appendingPathComponent("Fixtures/easyvqa/0.png"))
        let piped = try cli.run(["caption", "-"], standardInput: image)
        #expect(piped.status == 0 && piped.stdout == "a red triangle\n", "\(piped.stderr)")
    }

    @Test("BMP and TIFF files are found in directories and shards by extension and read from standard input")
    func bmpAndTIFFInputs() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = FileManager.default
        try files.createDirectory(at: root.appendingPathComponent("scans"), withIntermediateDirectories: true)
        let copies = [("bmp_rle8.bmp", "scans/a.bmp"), ("tiff_rgb_packbits.tif", "scans/b.tif"), ("tiff_gray_deflate.tif", "scans/c.tiff")]
        for (fixture, target) in copies {
            try files.copyItem(at: Repository.fixture("images/formats/\(fixture)"), to: root.appendingPathComponent(target))
        }
        let named = try cli.run(["caption"] + copies.map { root.appendingPathComponent($0.1).path })
        #expect(named.status == 0 && named.stdout.split(separator: "\n").count == 3, "\(named.stderr)")
        let scanned = try cli.run(["caption", root.appendingPathComponent("scans").path])
        #expect(scanned.status == 0 && scanned.stdout == named.stdout, "\(scanned.stderr)")

        let captions = named.stdout.split(separator: "\n").map { String($0.split(separator: ": ", maxSplits: 1)[1]) }
        let piped = try cli.run(["caption", "-"], standardInput: try Data(contentsOf: root.appendingPathComponent("scans/a.bmp")))
        #expect(piped.status == 0 && piped.stdout == captions[0] + "\n", "\(piped.stderr)")
        let shard = try makeShard("scans.tar", members: ["scans/b.tif", "scans/c.tiff", "notes.txt"], in: root)
        let members = try cli.run(["caption", shard])
        #expect(members.stdout == "\(shard)#scans/b.tif: \(captions[1])\n\(shard)#scans/c.tiff: \(captions[2])\n", "\(members.stderr)")
    }

    @Test("a WebDataset .tar shard: each image member is an input named SHARD.tar#MEMBER")
    func tarShard() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let shard = try makeShard("shard-000.tar", members: ["a/0.png", "a/b/5.png", "notes.txt"], in: root)
        let result = try cli.run(["caption", "--json", shard])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.map { $0["input"] as? String } == ["\(shard)#a/0.png", "\(shard)#a/b/5.png"])
        #expect(lines.map { $0["text"] as? String } == ["a red triangle", "a brown rectangle"])
        let timings = try #require(lines.first?["timings"] as? [String: Any])
        #expect(Set(timings.keys) == ["encode_seconds", "generate_seconds", "batch_size"])
    }

    @Test("--shard I/N splits the inputs by key; --output appends records and a second run skips what is done")
    func shardsAndResume() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let (first, second) = (root.appendingPathComponent("part-0.jsonl").path, root.appendingPathComponent("part-1.jsonl").path)
        func inputs(_ path: String) throws -> [String] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["input"] as! String
            }
        }
        // Keys 10.png, a/0.png and a/b/5.png hash to parts 1, 0 and 0 of 2 (``ShardPart``).
        #expect(try cli.run(["caption", "--batch-size", "2", "--shard", "0/2", "--output", first, root.path]).status == 0)
        #expect(try inputs(first) == ["\(root.path)/a/0.png", "\(root.path)/a/b/5.png"])
        // An interrupted run leaves a partial line; the next run cuts it off and writes nothing twice.
        let handle = try #require(FileHandle(forWritingAtPath: first))
        try handle.seekToEnd()
        handle.write(Data("{\"input\":\"cut".utf8))
        try handle.close()
        let again = try cli.run(["caption", "--shard", "0/2", "--output", first, root.path])
        #expect(again.status == 0 && again.stdout.isEmpty)
        #expect(try inputs(first) == ["\(root.path)/a/0.png", "\(root.path)/a/b/5.png"])
        #expect(try cli.run(["caption", "--shard", "1/2", "--output", second, root.path]).status == 0)
        #expect(try inputs(second) == ["\(root.path)/10.png"])
        #expect(try cli.run(["caption", "--shard", "2/2", root.path]).status == 64)
    }
}
