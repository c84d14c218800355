import Foundation

/// `--questions FILE`: questions about the inputs, one per row, as JSON Lines (`{"image": PATH, "question": Q}` or
/// `{"key": KEY, "question": Q}`) or as CSV with a header row naming the columns `image` or `key`, and `question` (a
/// file that starts with `{` is JSON Lines; a `.tsv` file is tab-separated). `image` is a path, relative to the working
/// directory, of an input; `key` an input's key (the output's `key`) or a WebDataset sample's `__key__`. Blank lines are
/// skipped; an input may have many rows, and gets one record per question.
package enum QuestionsFile {
    package struct Row: Equatable, Sendable {
        package enum Target: Equatable, Sendable {
            case image(InputPath)
            case key(String)
        }

        package let target: Target
        package let question: String
        /// The row's line in the file, from 1.
        package let line: Int
    }

    /// A row that cannot be read: the file, line and field, and why.
    package struct Failure: Error, Equatable, CustomStringConvertible {
        package let file: String
        package let line: Int
        package let reason: String

        package var description: String { "\(file): line \(line): \(reason)" }
    }

    /// The rows of `data`, read from `file`.
    package static func rows(_ data: Data, file: String) throws(Failure) -> [Row] {
        let bytes = [UInt8](data)
        if bytes.first(where: { ![UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains($0) }) == UInt8(ascii: "{") {
            return try jsonLines(bytes, file: file)
        }
        return try csv(bytes, file.lowercased().hasSuffix(".tsv") ? .tab : .comma, file: file)
    }

    private struct JSONRow: Decodable {
        let image: String?
        let key: String?
        let question: String?
    }

    private static func jsonLines(_ bytes: [UInt8], file: String) throws(Failure) -> [Row] {
        var rows: [Row] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { continue }
            let row: JSONRow
            do {
                row = try JSONDecoder().decode(JSONRow.self, from: Data(line))
            } catch {
                throw Failure(file: file, line: number, reason: "not a JSON object with string fields image or key, and question")
            }
            rows.append(try Self.row(image: row.image, key: row.key, question: row.question, line: number, file: file))
        }
        return rows
    }

    private static func csv(_ bytes: [UInt8], _ dialect: CSVText, file: String) throws(Failure) -> [Row] {
        let parsed: (records: [CSVText.Record], unfinished: Int?)
        do {
            parsed = try dialect.records(bytes)
        } catch {
            throw Failure(file: file, line: error.line, reason: error.reason)
        }
        var records = parsed.records
        if let start = parsed.unfinished {
            // The last row may lack its newline.
            let line = bytes[..<start].count { $0 == UInt8(ascii: "\n") } + 1
            do {
                records += try dialect.records(bytes[start...] + [UInt8(ascii: "\n")]).records.map {
                    CSVText.Record(fields: $0.fields, line: $0.line + line - 1, end: $0.end)
                }
            } catch {
                throw Failure(file: file, line: error.line + line - 1, reason: error.reason)
            }
        }
        guard let header = records.first else { return [] }
        let image = header.fields.firstIndex(of: "image"), key = header.fields.firstIndex(of: "key")
        guard let question = header.fields.firstIndex(of: "question"), (image == nil) != (key == nil) else {
            throw Failure(file: file, line: header.line, reason: "the header row must name a question column and one of image or key")
        }
        var rows: [Row] = []
        for record in records.dropFirst() where record.fields != [""] {
            guard record.fields.count == header.fields.count else {
                throw Failure(file: file, line: record.line, reason: "\(record.fields.count) fields under a header of \(header.fields.count)")
            }
            rows.append(try Self.row(image: image.map { record.fields[$0] }, key: key.map { record.fields[$0] },
                                     question: record.fields[question], line: record.line, file: file))
        }
        return rows
    }

    private static func row(image: String?, key: String?, question: String?, line: Int, file: String) throws(Failure) -> Row {
        guard let question, !question.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Failure(file: file, line: line, reason: "field question is missing or empty")
        }
        switch (image, key) {
        case (let image?, nil) where !image.isEmpty: return Row(target: .image(InputPath(image)), question: question, line: line)
        case (nil, let key?) where !key.isEmpty: return Row(target: .key(key), question: question, line: line)
        default: throw Failure(file: file, line: line, reason: "give one of the fields image or key, not empty")
        }
    }
}
