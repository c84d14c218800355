import FuzzSupport
import Foundation
@testable import Image2TextDatasets

/// A questions file of `ask --questions` (JSON Lines or CSV rows of image or key, and question).
func fuzzQuestions(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    for name in ["questions.jsonl", "questions.tsv"] {
        ErrorOracle.expect([QuestionsFile.Failure.self], naming: name) {
            for row in try QuestionsFile.rows(input, file: name) { precondition(row.line >= 1 && !row.question.isEmpty) }
        }
    }
    return 0
}

LibFuzzer.run(fuzzQuestions)
