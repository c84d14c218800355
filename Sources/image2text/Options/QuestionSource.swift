import Foundation
import Image2TextDatasets

/// The questions asked of each input: none (one task with no question), `--question` (the same one of every input),
/// or `--questions FILE` (each input's rows, ``QuestionIndex``; an input with none is not run).
struct QuestionSource {
    /// `--question`.
    let fixed: String?
    /// `--questions FILE`.
    let file: String?
    private var index: QuestionIndex?
    /// A question of the run, to check the options against a prompt before any input is read.
    let sampleQuestion: String?

    init(_ questions: DatasetRun.Questions, root: InputRoot) throws {
        switch questions {
        case .none:
            (fixed, file, index, sampleQuestion) = (nil, nil, nil, nil)
        case .fixed(let question):
            (fixed, file, index, sampleQuestion) = (question, nil, nil, question)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path: path, message: "file not found") }
            let rows = try QuestionsFile.rows(data, file: PrintableName.escaped(path.utf8))
            (fixed, file, index, sampleQuestion) = (nil, path, QuestionIndex(rows, root: root), rows.first?.question)
        }
    }

    /// What `input` is asked: one task per element.
    mutating func questions(for input: DatasetInput) -> [String?] {
        guard index != nil else { return [fixed] }
        return index!.questions(for: input)
    }

    /// Lines of the questions file that no input asked for.
    var unusedLines: [Int] { index?.unusedLines ?? [] }
}
