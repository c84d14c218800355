import Foundation
import Image2Text

/// A JSON Lines file of results (``TaskResult``s of `caption`, `ask` or `classify`) that results are appended to, one
/// line at a time, so that an interrupted run leaves at most one incomplete last line behind. Opening it reads the
/// results already there (the inputs a resumed run skips); a line that is not one of our results stops the command,
/// unless `ignoringBadLines`.
final class JSONLinesFile {
    /// What the file holds.
    struct Contents {
        /// The `input` of every result line.
        var inputs: Set<String> = []
        /// Bytes up to the end of the last whole line.
        var wholeLength = 0
        /// The number of the last line when it has no newline: an interrupted run's partial write.
        var incompleteLine: Int?
        /// Numbers of whole lines that are not results, when those are ignored.
        var badLines: [Int] = []
    }

    /// The `input` of every result line the file held when it was opened.
    let inputs: Set<String>
    private let handle: FileHandle

    /// Opens `path` for appending, creating it if needed; an incomplete last line is cut off (with a note on
    /// standard error), so that its input is done again.
    init(path: String, ignoringBadLines: Bool) throws {
        let contents = try Self.read(path, ignoringBadLines: ignoringBadLines)
        let files = FileManager.default
        if !files.fileExists(atPath: path) {
            guard files.createFile(atPath: path, contents: nil) else {
                throw InputError(path: path, message: "cannot create the output file")
            }
        }
        guard let handle = FileHandle(forUpdatingAtPath: path) else { throw InputError(path: path, message: "cannot open the output file") }
        self.handle = handle
        inputs = contents.inputs
        if let line = contents.incompleteLine {
            try handle.truncate(atOffset: UInt64(contents.wholeLength))
            GenerationOutput.printNote("\(PrintableName.escaped(path.utf8)): line \(line) is incomplete (an interrupted run); it is removed and its input done again")
        }
        if let first = contents.badLines.first {
            let count = contents.badLines.count
            let lines = count == 1 ? "1 line that is not an image2text result is left as it is"
                : "\(count) lines that are not image2text results are left as they are"
            GenerationOutput.printNote("\(PrintableName.escaped(path.utf8)): \(lines) (the first: line \(first))")
        }
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    func append(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

    /// Reads the results in `path` (none if the file does not exist). A whole line that is not a result is an error
    /// naming the file and the line, unless `ignoringBadLines`.
    static func read(_ path: String, ignoringBadLines: Bool) throws -> Contents {
        var contents = Contents()
        guard let data = FileManager.default.contents(atPath: path) else { return contents }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if index == lines.count - 1 {
                if !line.isEmpty { contents.incompleteLine = number }
                break
            }
            contents.wholeLength = line.endIndex + 1 - data.startIndex
            if let input = resultInput(line) {
                contents.inputs.insert(input)
            } else if ignoringBadLines {
                contents.badLines.append(number)
            } else {
                throw InputError(
                    path: PrintableName.escaped(path.utf8),
                    message: "line \(number) is not an image2text result (\(preview(line))); --output appends to a file of "
                        + "results only: give another file, or --ignore-bad-output-lines to leave such lines and go on")
            }
        }
        return contents
    }

    /// The `input` of a result line: one ``TaskResult``.
    private static func resultInput(_ line: Data.SubSequence) -> String? {
        (try? JSONDecoder().decode(TaskResult.self, from: Data(line)))?.input
    }

    /// The start of a line, printable.
    private static func preview(_ line: Data.SubSequence) -> String {
        line.isEmpty ? "an empty line" : PrintableName.escaped(line.prefix(40)) + (line.count > 40 ? "…" : "")
    }
}
