import Foundation
import Image2Text
import Image2TextDatasets

/// Where each input's outcomes go, and their count: printed as text (the text, or the best label), as `--json` lines
/// (the result, as the server's response body), or as records (``ResultRecord``) appended to a result file or printed.
/// A failure is printed on standard error as `Error: INPUT: problem` (and, as a record, written too); a failure whose
/// fault is the request's is thrown, as it would repeat for every input.
final class ResultSink {
    enum Destination {
        /// Plain text; `labelled`: each line starts with the input's name.
        case text(labelled: Bool)
        /// `--json`: the results' JSON lines.
        case json
        /// Records, into `file` or (nil) standard output.
        case records(file: ResultFile?, format: RecordFormat, columns: [RecordColumn], includeJSON: Bool)
    }

    var destination: Destination
    private(set) var done = 0
    private(set) var failed = 0

    init(_ destination: Destination) {
        self.destination = destination
    }

    /// Starts counting again (a new `--output-dir` file).
    func resetCounts() {
        (done, failed) = (0, 0)
    }

    /// Hands on `item`'s outcomes, one per question.
    func deliver(_ item: WorkItem, _ outcomes: InputRunner.Outcomes) throws {
        for (question, outcome) in zip(item.questions, outcomes) {
            switch outcome {
            case .failure(let failure) where failure.fault == .request:
                throw failure
            case .failure(let failure):
                GenerationOutput.printError(GenerationOutput.imageProblem(failure, input: item.input).description)
                failed += 1
            case .success:
                done += 1
            }
            try write(ResultRecord(input: item.input, question: question, outcome: Self.outcome(outcome), includeJSON: includesJSON))
        }
    }

    /// Counts a failure that has no record: a shard that cannot be read (its samples before the damage were handed on).
    func report(_ error: any Error) {
        GenerationOutput.printError(String(describing: error))
        failed += 1
    }

    /// Whether records carry the samples' `json`.
    private var includesJSON: Bool {
        if case .records(_, _, _, let includeJSON) = destination { includeJSON } else { false }
    }

    private static func outcome(_ result: Result<TaskResult, TaskFailure>) -> ResultRecord.Outcome {
        switch result {
        case .success(let result): .ok(result)
        case .failure(let failure): .error(failure)
        }
    }

    private func write(_ record: ResultRecord) throws {
        switch destination {
        case .records(let file, let format, let columns, _):
            if let file { try file.append(record) } else { GenerationOutput.write(try ResultFile.line(record, format: format, columns: columns)) }
        case .json:
            guard case .ok(let result) = record.outcome else { return }
            GenerationOutput.printLine(try GenerationOutput.jsonLine(result))
        case .text(let labelled):
            guard case .ok(let result) = record.outcome else { return }
            let texts: [String] = switch result.output {
            case .generation(let sequences, _): sequences.map { $0.answer ?? $0.text }
            case .classification(let ranking): [ranking[0].label]
            }
            for text in texts { GenerationOutput.printLine(labelled ? "\(record.input.printableLabel): \(text)" : text) }
        }
    }
}
