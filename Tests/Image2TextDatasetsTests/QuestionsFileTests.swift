import Foundation
import Testing
@testable import Image2TextDatasets

/// `--questions FILE`: JSON Lines and CSV rows, and errors naming the line and field.
@Suite struct QuestionsFileTests {
    @Test("JSON Lines and CSV rows by image or key, blank lines skipped, CSV quoting honoured")
    func rows() throws {
        let jsonl = "{\"image\": \"a.png\", \"question\": \"what?\"}\n\n{\"key\": \"b\", \"question\": \"why?\"}\n"
        #expect(try QuestionsFile.rows(Data(jsonl.utf8), file: "q.jsonl") == [
            QuestionsFile.Row(target: .image(InputPath("a.png")), question: "what?", line: 1),
            QuestionsFile.Row(target: .key("b"), question: "why?", line: 3),
        ])
        let csv = "key,question\nb,\"what, then?\"\nc,\"say \"\"hi\"\"\""
        #expect(try QuestionsFile.rows(Data(csv.utf8), file: "q.csv").map(\.question) == ["what, then?", "say \"hi\""])
        #expect(try QuestionsFile.rows(Data("image\tquestion\na.png\tok?\n".utf8), file: "q.tsv").map(\.line) == [2])
    }

    @Test("a bad row is refused with the file, the line and the field", arguments: [
        ("{\"image\": \"a.png\"}\n", "q.jsonl: line 1: field question is missing or empty"),
        ("{\"key\": \"a\", \"question\": \"q\"}\n{\"key\": 3, \"question\": \"q\"}\n", "q.jsonl: line 2: not a JSON object"),
        ("{\"image\": \"a\", \"key\": \"b\", \"question\": \"q\"}\n", "q.jsonl: line 1: give one of the fields image or key"),
        ("path,question\na,b\n", "q.jsonl: line 1: the header row must name a question column and one of image or key"),
        ("key,question\na,b,c\n", "q.jsonl: line 2: 3 fields under a header of 2"),
    ])
    func errors(text: String, message: String) {
        #expect { try QuestionsFile.rows(Data(text.utf8), file: "q.jsonl") } throws: { "\($0)".hasPrefix(message) }
    }
}
