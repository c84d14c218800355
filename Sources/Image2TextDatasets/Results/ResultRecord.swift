import Foundation
import Image2Text

/// One line of a dataset run's output: an input (and question) with its result or its failure. In JSON Lines, keys
/// sorted: `key`, `status` (`ok` or `error`), and the result's fields (``TaskResult``: `input`, `text`, `ids`, …) or
/// `input` and `error: {code, message}`; `question` when one was asked; `__key__` and `__url__` for a WebDataset
/// sample, and its `json` member with `--include-json`.
package struct ResultRecord: Sendable {
    package enum Outcome: Sendable {
        case ok(TaskResult)
        case error(TaskFailure)
    }

    package let input: DatasetInput
    package let question: String?
    package let outcome: Outcome
    /// Whether the sample's `json` member goes into the record.
    package let includeJSON: Bool

    package init(input: DatasetInput, question: String?, outcome: Outcome, includeJSON: Bool) {
        self.input = input
        self.question = question
        self.outcome = outcome
        self.includeJSON = includeJSON
    }

    /// What resuming matches on.
    package var id: ResumeID { ResumeID(key: input.key, question: question) }

    package var status: String {
        if case .ok = outcome { "ok" } else { "error" }
    }

    /// The sample's `json`, parsed; as a JSON string when it is not JSON; nil without one or without `--include-json`.
    private var passedThroughJSON: JSONValue? {
        guard includeJSON, let data = input.sample?.json else { return nil }
        return JSONValue.parse(data) ?? .string(String(decoding: data, as: UTF8.self))
    }

    /// The record as one line of compact JSON with sorted keys, newline excluded.
    package func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Encoded(record: self)), as: UTF8.self)
    }

    /// The record's fields in `columns`' order.
    package func fields(_ columns: [RecordColumn]) -> [String] {
        let result: TaskResult? = if case .ok(let result) = outcome { result } else { nil }
        let failure: TaskFailure? = if case .error(let failure) = outcome { failure } else { nil }
        let best = result?.best
        let topLabel: TaskResult.LabelScore? = if case .classification(let ranking)? = result?.output { ranking.first } else { nil }
        return columns.map { column in
            switch column {
            case .key: input.key
            case .status: status
            case .input: input.label
            case .sampleKey: input.sample?.key ?? ""
            case .sampleURL: input.sample?.url ?? ""
            case .question: question ?? ""
            case .text: best?.text ?? ""
            case .answer: best?.answer ?? ""
            case .score: best?.score.map { "\($0)" } ?? ""
            case .finishReason: best?.finishReason ?? ""
            case .label: topLabel?.label ?? ""
            case .probability: topLabel.map { "\($0.probability)" } ?? ""
            case .errorCode: failure?.code ?? ""
            case .errorMessage: failure?.message ?? ""
            case .json: passedThroughJSON?.description ?? ""
            }
        }
    }

    /// The JSON object: the result's own keys, and the record's beside them in the same object.
    private struct Encoded: Encodable {
        let record: ResultRecord

        enum Keys: String, CodingKey {
            case key, status, input, error, question, json
            case sampleKey = "__key__", sampleURL = "__url__"
        }

        struct ErrorFields: Encodable {
            let code: String
            let message: String
        }

        func encode(to encoder: any Encoder) throws {
            if case .ok(let result) = record.outcome { try result.encode(to: encoder) }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(record.input.key, forKey: .key)
            try container.encode(record.status, forKey: .status)
            if case .error(let failure) = record.outcome {
                try container.encode(record.input.label, forKey: .input)
                try container.encode(ErrorFields(code: failure.code, message: failure.message), forKey: .error)
            }
            try container.encodeIfPresent(record.question, forKey: .question)
            try container.encodeIfPresent(record.input.sample?.key, forKey: .sampleKey)
            try container.encodeIfPresent(record.input.sample?.url, forKey: .sampleURL)
            try container.encodeIfPresent(record.passedThroughJSON, forKey: .json)
        }
    }
}

/// What a record is resumed by: its input's key and the question asked (none for captions).
package struct ResumeID: Hashable, Sendable {
    package let key: String
    package let question: String?

    package init(key: String, question: String?) {
        self.key = key
        self.question = question
    }
}
