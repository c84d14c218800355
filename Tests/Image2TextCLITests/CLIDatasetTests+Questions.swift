import Foundation
import Image2TextTestSupport
import Testing

/// VQA and classification at scale: the questions of a JSON Lines or CSV file, each input encoded once for all of its.
extension CLIDatasetTests {
    @Test("ask --questions FILE.jsonl: a record per question, answers as asking alone gives them, one encoding per image; resume by question")
    func questionsFromJSONLines() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let (shape, color) = ("what shape is in the image?", "what color is the shape?")
        let questions = root.appendingPathComponent("questions.jsonl")
        try Data("""
            {"image": "Fixtures/easyvqa/0.png", "question": "\(shape)"}
            {"image": "Fixtures/easyvqa/0.png", "question": "\(color)"}
            {"key": "5.png", "question": "\(shape)"}

            """.utf8).write(to: questions)
        let output = root.appendingPathComponent("answers.jsonl").path
        let run = try cli.run(["ask", "--questions", questions.path, "-o", output, "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try records(output)
        #expect(lines.map { $0["key"] as? String } == ["0.png", "0.png", "5.png"])
        #expect(lines.map { $0["question"] as? String } == [shape, color, shape])
        let alone = try [("0.png", shape), ("0.png", color), ("5.png", shape)].map {
            try cli.run(["ask", "Fixtures/easyvqa/" + $0.0, $0.1]).stdout.trimmingCharacters(in: .newlines)
        }
        #expect(lines.map { $0["answer"] as? String } == alone)
        let encodings = lines.map { ($0["timings"] as? [String: Any])?["encode_seconds"] as? Double }
        #expect(encodings[0] != nil && encodings[0] == encodings[1], "one encoding for both questions of 0.png")

        let again = try cli.run(["ask", "--questions", questions.path, "-o", output, "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(again.stderr.hasPrefix("Summary: 0 done, 3 skipped"), "\(again.stderr)")
        try Data((try String(contentsOf: questions, encoding: .utf8) + "{\"key\": \"5.png\", \"question\": \"\(color)\"}\n").utf8).write(to: questions)
        let more = try cli.run(["ask", "--questions", questions.path, "-o", output, "Fixtures/easyvqa/0.png", "Fixtures/easyvqa/5.png"])
        #expect(more.stderr.hasPrefix("Summary: 1 done, 3 skipped"), "\(more.stderr)")

        try Data("{\"image\": \"Fixtures/easyvqa/0.png\"}\n".utf8).write(to: questions)
        let bad = try cli.run(["ask", "--questions", questions.path, "Fixtures/easyvqa/0.png"])
        #expect(bad.status == 1 && bad.stderr == "Error: \(questions.path): line 1: field question is missing or empty\n", "\(bad.stderr)")
    }

    @Test("classify --questions FILE.csv over a folder: a ranking per row, the question on each record")
    func classifyQuestionsFromCSV() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let questions = root.appendingPathComponent("questions.csv")
        try Data("key,question\n10.png,\"what shape is in the image?\"\na/0.png,what shape is in the image?\n".utf8).write(to: questions)
        let run = try cli.run(["classify", "--questions", questions.path, "--labels", "circle,rectangle,triangle", "--output", "-", root.path])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = Self.withoutTimings(run.stdout)
        #expect(lines.map { $0["key"] as? String } == ["10.png", "a/0.png"])
        #expect(lines.map { $0["label"] as? String } == ["circle", "triangle"])
        #expect(lines.allSatisfy { $0["question"] as? String == "what shape is in the image?" })
    }
}
