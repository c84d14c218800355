import Foundation
import Image2TextTestSupport
import Testing

/// Keys that do not depend on how the inputs are spelled, and the run identity that resuming checks.
extension CLIDatasetTests {
    /// The records of a JSON Lines file.
    func records(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("resume under another spelling of the same inputs (Fixtures/easyvqa/1??.png, ./Fixtures/…, absolute, through a link): keys relative to the root, nothing done twice")
    func resumeUnderAnotherSpelling() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("out.jsonl").path
        #expect(try cli.run(["caption", "-o", output, "--shard", "0/2", "Fixtures/easyvqa/1??.png"]).status == 0)
        let first = try records(output).count
        #expect(first > 0 && first < 20)
        let again = try cli.run(["caption", "-o", output, "./Fixtures/easyvqa/1??.png"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.hasPrefix("Summary: \(20 - first) done, \(first) skipped, 0 failed"), "\(again.stderr)")
        let link = root.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: Repository.root.appendingPathComponent("Fixtures/easyvqa"))
        for spelling in [Repository.root.path + "/Fixtures/easyvqa/1??.png", link.path + "/1??.png"] {
            let resumed = try cli.run(["caption", "-o", output, spelling])
            #expect(resumed.status == 0 && resumed.stderr.hasPrefix("Summary: 0 done, 20 skipped"), "\(spelling): \(resumed.stderr)")
        }
        let lines = try records(output)
        #expect(lines.count == 20 && Set(lines.compactMap { $0["key"] as? String }) == Set((20..<40).map { "\($0 * 5).png" }))
        let identity = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + ".run.json"))) as? [String: Any])
        #expect(identity["input_root"] as? String == Repository.root.resolvingSymlinksInPath().path + "/Fixtures/easyvqa")
        #expect(identity["task"] as? String == "caption" && identity["image_size"] as? Int == 64 && identity["dtype"] as? String == "stored")
        #expect((identity["model"] as? [String: Any])?["files"] is [String: String])
    }

    @Test("resuming with options that shape the results is refused, naming each field; --overwrite starts again")
    func changedOptionsRefused() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("out.jsonl").path
        #expect(try cli.run(["caption", "-o", output, root.path]).status == 0)
        let written = try String(contentsOfFile: output, encoding: .utf8)
        let refused = try cli.run(["caption", "--num-beams", "3", "--image-size", "96", "-o", output, root.path])
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        #expect(refused.stderr.hasSuffix("Error: \(output) was written by another run (\(output).run.json): generation.num_beams: unset → 3; "
                + "image_size: 64 → 96. Give --overwrite to start the file again, or another output\n"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == written)
        let moved = try cli.run(["caption", "-o", output, root.appendingPathComponent("a").path])
        #expect(moved.status == 1 && moved.stderr.contains("input_root: \"\(root.resolvingSymlinksInPath().path)\" → "), "\(moved.stderr)")

        let overwritten = try cli.run(["caption", "--num-beams", "3", "--overwrite", "-o", output, root.path])
        #expect(overwritten.status == 0, "\(overwritten.stderr)")
        #expect(try records(output).count == 3)
        let identity = try String(contentsOfFile: output + ".run.json", encoding: .utf8)
        #expect(identity.contains("\"num_beams\" : 3"), "\(identity)")
        try FileManager.default.removeItem(atPath: output + ".run.json")
        let orphan = try cli.run(["caption", "-o", output, root.path])
        #expect(orphan.status == 1 && orphan.stderr.contains("holds records but no run identity"), "\(orphan.stderr)")
    }
}
