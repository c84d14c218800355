import Foundation
import Image2Text
import Image2TextDatasets

/// What the commands print, and how they report a failure. Every line goes above a progress bar drawn meanwhile
/// (``StatusLine``).
enum GenerationOutput {
    /// One input's result as one line of compact JSON with sorted keys (``TaskResult``, the server's response body
    /// too): `answer` (for a question), `finish_reason`, `ids`, `input`, `prompt_ids`, `score`, `sequences` (with
    /// several) and `text` of a generation, or `input`, `label` and `ranking` of a classification, and `timings`.
    static func jsonLine(_ result: TaskResult) throws -> String {
        String(decoding: try result.json(), as: UTF8.self)
    }

    /// Writes `text` to standard output at once, without a newline.
    static func write(_ text: String) {
        StatusLine.standardError.write(text, to: .standardOutput)
    }

    /// Prints a line to standard output at once, so that results and error lines keep their order.
    static func printLine(_ line: String) {
        StatusLine.standardError.write(line + "\n", to: .standardOutput)
    }

    /// Prints `Error: message` to standard error, as ArgumentParser does for the errors a command throws.
    static func printError(_ message: String) {
        StatusLine.standardError.write("Error: \(message)\n", to: .standardError)
    }

    /// Prints `Note: message` to standard error: something the command did that the user did not ask for.
    static func printNote(_ message: String) {
        StatusLine.standardError.write("Note: \(message)\n", to: .standardError)
    }

    /// Prints `Summary: counts` to standard error: what a dataset run did (``RunStats/summary``).
    static func printSummary(_ counts: String) {
        StatusLine.standardError.write("Summary: \(counts)\n", to: .standardError)
    }

    /// Prints `Warning: message` to standard error: something asked for that has no effect (``GenerationWarning``).
    static func printWarning(_ message: String) {
        StatusLine.standardError.write("Warning: \(message)\n", to: .standardError)
    }

    /// The one-line problem of `input`: `NAME: problem`, the name printable (``Input/printableLabel``). Library errors
    /// name an image file by its absolute path, and data by the label it was given; that name is replaced.
    static func imageProblem(_ error: any Error, input: DatasetInput) -> InputError {
        if let error = error as? InputError { return error }
        let description = String(describing: error)
        let names = [URL(fileURLWithPath: input.label).path, input.label, input.printableLabel].map { $0 + ": " }
        let problem = names.first(where: description.hasPrefix).map { String(description.dropFirst($0.count)) } ?? description
        return InputError(path: input.printableLabel, message: problem)
    }
}
