import Foundation
import Image2TextTestSupport
import Testing

/// Many inputs on several kernel threads: batches run side by side, one per thread, and the output is the same as
/// captioning one image at a time on one thread, in input order.
extension CLIDatasetTests {
    @Test("--threads 2 over a folder, one image or three per batch: the lines of one-by-one captioning on one thread, in order; a bad file is reported once")
    func sideBySideBatchesEqualOneByOne() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("image2text-threads-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let names = (0..<12).map { "\($0 * 5).png" }
        for name in names {
            try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Fixtures/easyvqa/\(name)"),
                                             to: root.appendingPathComponent(name))
        }
        try Data("not an image".utf8).write(to: root.appendingPathComponent("3.png"))
        let inputs = (names + ["3.png"]).map { root.appendingPathComponent($0).path }.sorted()
        func lines(_ stdout: String) -> [String] {
            // The timings differ from run to run; everything else must not.
            stdout.split(separator: "\n").map { $0.replacingOccurrences(of: #","timings":\{[^}]*\}"#, with: "", options: .regularExpression) }
        }
        var expected: [String] = []
        for input in inputs {
            let single = try cli.run(["caption", "--json", "--threads", "1", input])
            expected += lines(single.stdout)
        }
        #expect(expected.count == names.count)
        for batch in ["1", "3"] {
            let result = try cli.run(["caption", "--json", "--threads", "2", "--batch-size", batch, root.path])
            #expect(result.status == 1)
            #expect(lines(result.stdout) == expected, "batch size \(batch)")
            #expect(result.stderr.components(separatedBy: "Error: \(root.path)/3.png: ").count == 2, "\(result.stderr)")
        }
    }
}
