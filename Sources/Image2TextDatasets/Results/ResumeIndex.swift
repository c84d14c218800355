import Foundation

/// What a result file already holds: the records of an earlier run of the same command, which a resumed run skips.
/// A whole line (CSV/TSV: record) that is not a result is an error naming the file and line, unless bad lines are
/// ignored; an unfinished last line is what a killed run leaves, to be cut off.
package struct ResumeIndex: Sendable {
    /// Inputs (and questions) with an `ok` record.
    package var done: Set<ResumeID> = []
    /// Inputs with an `error` record, and the byte ranges of those records.
    package var failed: Set<ResumeID> = []
    package var failedRanges: [Range<Int>] = []
    /// Bytes up to the end of the last whole record.
    package var wholeLength = 0
    /// The line of an unfinished last record.
    package var unfinishedLine: Int?
    /// Lines of whole records that are not results, when those are ignored.
    package var badLines: [Int] = []
    /// CSV/TSV: the header row, when the file has one.
    package var header: [String]?

    /// A record that is not a result, where bad lines are not ignored.
    package struct BadLine: Error, Equatable, CustomStringConvertible {
        package let file: String
        package let line: Int
        package let reason: String

        package var description: String {
            "\(file): line \(line) is not an image2text result (\(reason)); --output appends to a file of results only: "
                + "give another file, or --ignore-bad-output-lines to leave such lines and go on"
        }
    }

    package init() {}

    /// The index of `data`, the contents of `file` written as `format`.
    package init(_ data: Data, format: RecordFormat, file: String, ignoringBadLines: Bool) throws(BadLine) {
        let bytes = [UInt8](data)
        if let csv = format.csv {
            try readCSV(bytes, csv, file: file, ignoringBadLines: ignoringBadLines)
        } else {
            try readLines(bytes, file: file, ignoringBadLines: ignoringBadLines)
        }
    }

    /// Whether `id` is to be skipped: done, or failed unless failures are retried.
    package func holds(_ id: ResumeID, retryingFailed: Bool) -> Bool {
        done.contains(id) || (!retryingFailed && failed.contains(id))
    }

    private mutating func add(_ id: ResumeID, status: String, range: Range<Int>) -> Bool {
        switch status {
        case "ok": done.insert(id)
        case "error":
            failed.insert(id)
            failedRanges.append(range)
        default: return false
        }
        return true
    }

    private mutating func bad(_ line: Int, _ reason: String, file: String, ignoring: Bool) throws(BadLine) {
        guard ignoring else { throw BadLine(file: file, line: line, reason: reason) }
        badLines.append(line)
    }

    private struct LineFields: Decodable {
        let key: String
        let status: String
        let question: String?
    }

    private mutating func readLines(_ bytes: [UInt8], file: String, ignoringBadLines: Bool) throws(BadLine) {
        var start = 0, number = 1
        while start < bytes.count {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                unfinishedLine = number
                break
            }
            let line = bytes[start..<newline]
            let fields = try? JSONDecoder().decode(LineFields.self, from: Data(line))
            let added = fields.map { add(ResumeID(key: $0.key, question: $0.question), status: $0.status, range: start..<newline + 1) }
            if added != true { try bad(number, Self.preview(line), file: file, ignoring: ignoringBadLines) }
            start = newline + 1
            wholeLength = start
            number += 1
        }
    }

    private mutating func readCSV(_ bytes: [UInt8], _ csv: CSVText, file: String, ignoringBadLines: Bool) throws(BadLine) {
        let parsed: (records: [CSVText.Record], unfinished: Int?)
        do {
            parsed = try csv.records(bytes)
        } catch {
            throw BadLine(file: file, line: error.line, reason: error.reason)
        }
        if let unfinished = parsed.unfinished {
            unfinishedLine = bytes[..<unfinished].count { $0 == UInt8(ascii: "\n") } + 1
        }
        wholeLength = parsed.records.last?.end ?? 0
        guard let first = parsed.records.first else { return }
        guard let keyColumn = first.fields.firstIndex(of: "key"), let statusColumn = first.fields.firstIndex(of: "status") else {
            throw BadLine(file: file, line: 1, reason: "a header row without the key and status columns")
        }
        header = first.fields
        let questionColumn = first.fields.firstIndex(of: "question")
        var start = first.end
        for record in parsed.records.dropFirst() {
            defer { start = record.end }
            guard record.fields.count == first.fields.count else {
                try bad(record.line, "\(record.fields.count) fields under a header of \(first.fields.count)", file: file, ignoring: ignoringBadLines)
                continue
            }
            let question = questionColumn.map { record.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            if !add(ResumeID(key: record.fields[keyColumn], question: question), status: record.fields[statusColumn], range: start..<record.end) {
                try bad(record.line, "status is neither ok nor error", file: file, ignoring: ignoringBadLines)
            }
        }
    }

    /// The start of a line, printable.
    private static func preview(_ line: ArraySlice<UInt8>) -> String {
        line.isEmpty ? "an empty line" : PrintableName.escaped(line.prefix(40)) + (line.count > 40 ? "…" : "")
    }
}
