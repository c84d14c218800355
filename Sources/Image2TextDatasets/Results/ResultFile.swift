import Foundation

/// A file of result records (``ResultRecord``) that records are appended to, one whole line at a time, so that a killed
/// run leaves at most one unfinished last line. Opening it reads what it holds (``ResumeIndex``), cuts off an
/// unfinished last line, drops the failures' records when they are to be retried, and writes the CSV/TSV header
/// of an empty file.
package final class ResultFile {
    package let path: String
    package let format: RecordFormat
    package let columns: [RecordColumn]
    /// What the file held when it was opened (less the failures' records when they are retried).
    package let index: ResumeIndex
    /// What opening the file did that the user did not ask for, one sentence each, for standard error.
    package private(set) var notes: [String] = []
    private let handle: FileHandle

    package init(path: String, format: RecordFormat, columns: [RecordColumn], ignoringBadLines: Bool, retryingFailed: Bool) throws {
        self.path = path
        self.format = format
        self.columns = columns
        let name = PrintableName.escaped(path.utf8)
        var data = FileManager.default.contents(atPath: path) ?? Data()
        var index = try ResumeIndex(data, format: format, file: name, ignoringBadLines: ignoringBadLines)
        if let header = index.header, header != columns.map(\.rawValue) {
            throw InputError(path: name, message: "its header row (\(header.joined(separator: ","))) is not this run's "
                + "(\(columns.map(\.rawValue).joined(separator: ","))): give another file, or --overwrite")
        }
        if let line = index.unfinishedLine {
            notes.append("\(name): line \(line) is incomplete (an interrupted run); it is removed and its input done again")
            data = data.prefix(index.wholeLength)
        }
        if retryingFailed && !index.failedRanges.isEmpty {
            notes.append("\(name): \(index.failedRanges.count) failed input(s) are done again (--retry-failed); their lines are removed")
            var kept = Data()
            var start = 0
            for range in index.failedRanges {
                kept.append(data[start..<range.lowerBound])
                start = range.upperBound
            }
            kept.append(data[start...])
            data = kept
            try Self.replace(path, with: data, name: name)
            index = try ResumeIndex(data, format: format, file: name, ignoringBadLines: ignoringBadLines)
        }
        if let first = index.badLines.first {
            let count = index.badLines.count
            let lines = count == 1 ? "1 line that is not an image2text result is left as it is"
                : "\(count) lines that are not image2text results are left as they are"
            notes.append("\(name): \(lines) (the first: line \(first))")
        }
        self.index = index
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw InputError(path: name, message: "cannot create the output file")
            }
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw InputError(path: name, message: "cannot open the output file") }
        self.handle = handle
        if index.unfinishedLine != nil { try handle.truncate(atOffset: UInt64(index.wholeLength)) }
        try handle.seekToEnd()
        if let csv = format.csv, index.header == nil, index.wholeLength == 0 {
            handle.write(Data(csv.line(columns.map(\.rawValue)).utf8))
        }
    }

    deinit { try? handle.close() }

    /// Appends `record` as one write.
    package func append(_ record: ResultRecord) throws {
        handle.write(Data(try Self.line(record, format: format, columns: columns).utf8))
    }

    /// `record` as one line of `format`, newline included.
    package static func line(_ record: ResultRecord, format: RecordFormat, columns: [RecordColumn]) throws -> String {
        if let csv = format.csv { return csv.line(record.fields(columns)) }
        return try record.jsonLine() + "\n"
    }

    /// Replaces the file at `path` by `data` at once (a new file renamed over it).
    private static func replace(_ path: String, with data: Data, name: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw InputError(path: name, message: "cannot rewrite the output file: \(error.localizedDescription)")
        }
    }
}
