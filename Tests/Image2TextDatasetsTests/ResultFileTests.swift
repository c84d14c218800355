import Foundation
import Image2Text
import Testing
@testable import Image2TextDatasets

/// Records written and read back: JSON Lines and CSV, the resume index, bad and unfinished lines.
@Suite struct ResultFileTests {
    static let input = DatasetInput(key: "a/0.png", name: Array("photos/a/0.png".utf8), source: .bytes(Data()))

    static func caption(_ text: String) throws -> TaskResult {
        let object: [String: Any] = ["input": "photos/a/0.png", "text": text, "ids": [2, 3], "prompt_ids": [2], "score": -0.5,
                                     "finish_reason": "eos", "timings": ["encode_seconds": 0.1, "generate_seconds": 0.2, "batch_size": 1]]
        return try JSONDecoder().decode(TaskResult.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test("an ok record is the result's JSON with key and status beside it; an error record has input and error {code, message}")
    func jsonLines() throws {
        let ok = try ResultRecord(input: Self.input, question: nil, outcome: .ok(try Self.caption("a red, \"round\" dot")), includeJSON: false).jsonLine()
        #expect(ok.hasPrefix(#"{"finish_reason":"eos","ids":[2,3],"input":"photos/a/0.png","key":"a/0.png","prompt_ids":[2],"score":-0.5,"status":"ok","#))
        let failure = TaskFailure(fault: .input, code: "unreadable_image", message: "bad bytes")
        var sample = Self.input
        sample.sample = DatasetInput.Sample(key: "a/0", url: "shards/000.tar", json: Data(#"{"caption":"x"}"#.utf8))
        let error = try ResultRecord(input: sample, question: "why?", outcome: .error(failure), includeJSON: true).jsonLine()
        #expect(error == #"{"__key__":"a/0","__url__":"shards/000.tar","error":{"code":"unreadable_image","message":"bad bytes"},"input":"photos/a/0.png","json":{"caption":"x"},"key":"a/0.png","question":"why?","status":"error"}"#)
    }

    @Test("CSV records quote what needs it and read back; the columns are the documented order")
    func csvRoundTrip() throws {
        let columns = RecordColumn.columns(for: .caption, includeJSON: false)
        #expect(columns.map(\.rawValue) == ["key", "status", "input", "__key__", "__url__", "text", "score", "finish_reason", "error_code", "error_message"])
        let record = ResultRecord(input: Self.input, question: nil, outcome: .ok(try Self.caption("a red, \"round\"\ndot")), includeJSON: false)
        let text = CSVText.comma.line(columns.map(\.rawValue)) + (try ResultFile.line(record, format: .csv, columns: columns))
        let parsed = try CSVText.comma.records(Array(text.utf8))
        #expect(parsed.unfinished == nil && parsed.records.count == 2)
        #expect(parsed.records[1].fields == ["a/0.png", "ok", "photos/a/0.png", "", "", "a red, \"round\"\ndot", "-0.5", "eos", "", ""])
        let index = try ResumeIndex(Data(text.utf8), format: .csv, file: "out.csv", ignoringBadLines: false)
        #expect(index.done == [ResumeID(key: "a/0.png", question: nil)])
    }

    @Test("the resume index: ok and error records by key and question, an unfinished last line, a bad line named by number")
    func resumeIndex() throws {
        let lines = #"{"key":"a","status":"ok","question":"q"}"# + "\n" + #"{"key":"b","status":"error"}"# + "\n" + #"{"key":"c","sta"#
        let index = try ResumeIndex(Data(lines.utf8), format: .jsonl, file: "out.jsonl", ignoringBadLines: false)
        #expect(index.done == [ResumeID(key: "a", question: "q")] && index.failed == [ResumeID(key: "b", question: nil)])
        #expect(index.unfinishedLine == 3 && index.wholeLength == lines.utf8.count - #"{"key":"c","sta"#.utf8.count)
        #expect(index.holds(ResumeID(key: "b", question: nil), retryingFailed: false) && !index.holds(ResumeID(key: "b", question: nil), retryingFailed: true))
        #expect(throws: ResumeIndex.BadLine(file: "out.jsonl", line: 2, reason: "[1]")) {
            try ResumeIndex(Data((#"{"key":"a","status":"ok"}"# + "\n[1]\n").utf8), format: .jsonl, file: "out.jsonl", ignoringBadLines: false)
        }
        #expect(throws: ResumeIndex.BadLine(file: "out.jsonl", line: 1, reason: #"{"key":"a","status":"done"}"#)) {
            try ResumeIndex(Data((#"{"key":"a","status":"done"}"# + "\n").utf8), format: .jsonl, file: "out.jsonl", ignoringBadLines: false)
        }
    }
}
