import Foundation
import Image2TextTestSupport
import Testing

/// Failures on record: error lines, what resuming does with them, the statistics file and the summary.
extension CLIDatasetTests {
    @Test("a failed input is an error record (code, message); resume skips it unless --retry-failed; stats and summary count it, stats' records count the whole file")
    func failuresOnRecord() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let bad = root.appendingPathComponent("bad.png")
        try Data("not an image".utf8).write(to: bad)
        let output = root.appendingPathComponent("out.jsonl").path
        let run = try cli.run(["caption", "-o", output, root.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("Error: \(bad.path): not a JPEG, PNG, GIF, WebP, BMP or TIFF image"), "\(run.stderr)")
        #expect(run.stderr.contains("\nSummary: 3 done, 0 skipped, 1 failed in "), "\(run.stderr)")
        let lines = try records(output)
        #expect(lines.map { $0["key"] as? String } == ["10.png", "a/0.png", "a/b/5.png", "bad.png"])
        #expect(lines.map { $0["status"] as? String } == ["ok", "ok", "ok", "error"])
        let error = try #require(lines[3]["error"] as? [String: String])
        #expect(error["code"] == "unreadable_image" && error["message"]?.hasPrefix("\(bad.path): not a JPEG") == true, "\(error)")
        #expect(Set(lines[3].keys) == ["key", "status", "input", "error"])
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + ".stats.json"))) as? [String: Any])
        #expect(stats["done"] as? Int == 3 && stats["failed"] as? Int == 1 && stats["skipped"] as? Int == 0, "\(stats)")
        #expect(stats["images_per_second"] is Double && stats["finished_at"] is String)
        func recordCounts() throws -> [String: Int]? {
            let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output + ".stats.json"))) as? [String: Any]
            return stats?["records"] as? [String: Int]
        }
        #expect(try recordCounts() == ["ok": 3, "error": 1])

        let again = try cli.run(["caption", "-o", output, root.path])
        #expect(again.status == 0 && again.stderr.hasPrefix("Summary: 0 done, 4 skipped, 0 failed"), "\(again.stderr)")
        #expect(try recordCounts() == ["ok": 3, "error": 1])
        try FileManager.default.removeItem(at: bad)
        try FileManager.default.copyItem(at: root.appendingPathComponent("10.png"), to: bad)
        let retried = try cli.run(["caption", "--retry-failed", "-o", output, root.path])
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(retried.stderr.hasPrefix("Note: \(output): 1 failed input(s) are done again (--retry-failed); their lines are removed\nSummary: 1 done, 3 skipped, 0 failed"),
                "\(retried.stderr)")
        let after = try records(output)
        #expect(after.map { $0["key"] as? String } == ["10.png", "a/0.png", "a/b/5.png", "bad.png"])
        #expect(after.allSatisfy { $0["status"] as? String == "ok" } && after[3]["text"] as? String == "a red circle")
        #expect(try recordCounts() == ["ok": 4, "error": 0])
    }

    @Test("printed results keep exit status 1 for a failed input; records leave 0 (the failure is on record)")
    func exitStatus() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("bad.png"))
        #expect(try cli.run(["caption", root.path]).status == 1)
        let printed = try cli.run(["caption", "--output", "-", root.path])
        #expect(printed.status == 0 && printed.stdout.split(separator: "\n").count == 4, "\(printed.stderr)")
    }
}
