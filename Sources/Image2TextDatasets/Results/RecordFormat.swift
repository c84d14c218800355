/// How result records are written (`--format`): JSON Lines (the default), CSV or TSV (``CSVText``) with a header row.
package enum RecordFormat: String, Sendable, CaseIterable, Codable {
    case jsonl, csv, tsv

    /// The extension of `--output-dir` files.
    package var fileExtension: String { rawValue }

    /// The CSV dialect of `csv` and `tsv`; nil for JSON Lines.
    package var csv: CSVText? {
        switch self {
        case .jsonl: nil
        case .csv: .comma
        case .tsv: .tab
        }
    }
}

/// What a run does to each input, as records and the run identity name it.
package enum DatasetTask: String, Sendable, Codable {
    case caption, ask, classify
}

/// A column of CSV and TSV records. The columns of a run, in this order: `key`, `status`, `input`, `__key__`,
/// `__url__`, then `question` (ask, classify), `text` and `answer` (ask) or `text` (caption), `score` and
/// `finish_reason` (caption, ask), `label` and `probability` (classify), then `error_code`, `error_message`, and
/// `json` with `--include-json`. A column that does not apply to a record is empty.
package enum RecordColumn: String, Sendable, CaseIterable {
    case key, status, input
    case sampleKey = "__key__", sampleURL = "__url__"
    case question, text, answer, score
    case finishReason = "finish_reason"
    case label, probability
    case errorCode = "error_code", errorMessage = "error_message"
    case json

    /// The columns of `task`'s records.
    package static func columns(for task: DatasetTask, includeJSON: Bool) -> [RecordColumn] {
        let middle: [RecordColumn] = switch task {
        case .caption: [.text, .score, .finishReason]
        case .ask: [.question, .text, .answer, .score, .finishReason]
        case .classify: [.question, .label, .probability]
        }
        return [.key, .status, .input, .sampleKey, .sampleURL] + middle + [.errorCode, .errorMessage] + (includeJSON ? [.json] : [])
    }
}
