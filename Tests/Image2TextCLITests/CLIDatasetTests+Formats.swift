import Foundation
import Image2TextTestSupport
import Testing

/// `--format csv|tsv` with its documented columns, resumed like JSON Lines; `--files-from`.
extension CLIDatasetTests {
    @Test("--format csv: a header row and a row per input in the documented column order; resuming reads the CSV")
    func csvRecords() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let output = root.appendingPathComponent("out.csv").path
        #expect(try cli.run(["caption", "--format", "csv", "-o", output, root.path]).status == 0)
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first == ["key", "status", "input", "__key__", "__url__", "text", "score", "finish_reason", "error_code", "error_message"])
        #expect(rows.dropFirst().map { [$0[0], $0[1], $0[5]] } == [["10.png", "ok", "a red circle"], ["a/0.png", "ok", "a red triangle"],
                                                                   ["a/b/5.png", "ok", "a brown rectangle"]])
        let again = try cli.run(["caption", "--format", "csv", "-o", output, root.path])
        #expect(again.status == 0 && again.stderr.hasPrefix("Summary: 0 done, 3 skipped"), "\(again.stderr)")
        let tsv = try cli.run(["ask", "-q", Self.question, "--format", "tsv", "--output", "-", root.appendingPathComponent("10.png").path])
        #expect(tsv.stdout.hasPrefix("key\tstatus\tinput\t__key__\t__url__\tquestion\ttext\tanswer\tscore\tfinish_reason\terror_code\terror_message\n10.png\tok\t"),
                "\(tsv.stdout)")
        #expect(try cli.run(["caption", "--format", "csv", root.path]).status == 64)
    }

    @Test("--files-from LIST and --files-from - add one input per line, keyed like the others")
    func filesFrom() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let list = root.appendingPathComponent("list.txt")
        try Data("\(root.path)/a/0.png\n\n\(root.path)/10.png\n".utf8).write(to: list)
        let fromFile = try cli.run(["caption", "--output", "-", "--files-from", list.path])
        #expect(Self.withoutTimings(fromFile.stdout).map { $0["key"] as? String } == ["a/0.png", "10.png"], "\(fromFile.stderr)")
        let fromInput = try cli.run(["caption", "--files-from", "-"], standardInput: Data("\(root.path)/a/b/5.png\n".utf8))
        #expect(fromInput.status == 0 && fromInput.stdout == "a brown rectangle\n", "\(fromInput.stderr)")
    }
}
