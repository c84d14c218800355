import Foundation
import Image2Text

/// What `caption` and `ask` print, and how they report a failure.
enum GenerationOutput {
    /// Seconds spent on one input: reading and encoding it alone, and generating for the batch it was decoded in.
    struct Timings {
        let encode: Double
        let generate: Double
        let batch: Int
    }

    /// One compact JSON object for one input, keys in this order: `input`, `text` (the whole sequence decoded, for a
    /// question it begins with the question), `ids` (the whole sequence, prompt included), `prompt_ids`, with
    /// `answer: true` also `answer` (the text after the prompt), `score`, with several sequences `sequences`
    /// (each with `text`, `ids`, `answer`, `score`), and `timings` (`encode_seconds`, `generate_seconds` of its batch,
    /// `batch_size`). The top-level fields describe the best sequence.
    static func jsonLine(input: String, results: [GenerationResult], answer: Bool = false, timings: Timings) throws -> String {
        let best = results[0]
        var fields = [("input", try jsonString(input))] + (try sequenceFields(best, answer: answer))
        fields.insert(("prompt_ids", "[" + best.promptIds.map(String.init).joined(separator: ",") + "]"), at: 3)
        if results.count > 1 {
            let sequences = try results.map { try object(sequenceFields($0, answer: answer)) }
            fields.append(("sequences", "[" + sequences.joined(separator: ",") + "]"))
        }
        fields.append(("timings", object([("encode_seconds", String(format: "%.4f", timings.encode)),
                                          ("generate_seconds", String(format: "%.4f", timings.generate)),
                                          ("batch_size", "\(timings.batch)")])))
        return object(fields)
    }

    /// One compact JSON object for a classification: `input`, `label` (the best), `ranking` (every label, best
    /// first, with `label`, `log_probability` and `probability`).
    static func jsonLine(input: String, classification: Classification) throws -> String {
        let ranking = try classification.ranking.map { score in
            object([("label", try jsonString(score.label)), ("log_probability", "\(score.logProbability)"),
                    ("probability", "\(score.probability)")])
        }
        return object([("input", try jsonString(input)), ("label", try jsonString(classification.best.label)),
                       ("ranking", "[" + ranking.joined(separator: ",") + "]")])
    }

    private static func sequenceFields(_ result: GenerationResult, answer: Bool) throws -> [(String, String)] {
        var fields = [
            ("text", try jsonString(result.text)),
            ("ids", "[" + result.ids.map(String.init).joined(separator: ",") + "]"),
        ]
        if answer { fields.append(("answer", try jsonString(result.generatedText))) }
        fields.append(("score", result.score.isFinite ? "\(result.score)" : "null"))
        return fields
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func jsonString(_ value: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Writes `text` to standard output at once, without a newline.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Prints a line to standard output at once, so that results and error lines keep their order.
    static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Prints `Error: message` to standard error, as ArgumentParser does for the errors a command throws.
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    }

    /// Whether `error` is about the request (the question or the generation flags) rather than one image: such an
    /// error would repeat for every image, so it ends the command. A sequence that runs into the end of the position
    /// table concerns its image (another image may reach [SEP] first).
    static func concernsRequest(_ error: any Error) -> Bool {
        guard let error = error as? GenerationError else { return false }
        switch error {
        case .pixelValuesShape, .pixelValuesSmallerThanPatch, .foreignImageContext, .exceedsPositionTable,
             .notAVideoModel, .frameCount:
            return false
        default: return true
        }
    }

    /// Prints `Note: message` to standard error: something the command did that the user did not ask for.
    static func printNote(_ message: String) {
        FileHandle.standardError.write(Data("Note: \(message)\n".utf8))
    }

    /// Runs `work` for `input`. An error about the request ends the command (it would repeat for every input); any
    /// other is printed as the input's problem and counted in `failures`, and the result is nil.
    static func forInput<Result>(_ input: Input, failures: inout Int, _ work: () throws -> Result) throws -> Result? {
        do {
            return try work()
        } catch where concernsRequest(error) {
            throw error
        } catch {
            printError(imageProblem(error, input: input).description)
            failures += 1
            return nil
        }
    }

    /// The one-line problem of `input`: `NAME: problem`, the name printable (``Input/printableLabel``). Library errors
    /// name an image file by its absolute path, and data by the label it was given; that name is replaced.
    static func imageProblem(_ error: any Error, input: Input) -> InputError {
        if let error = error as? InputError { return error }
        let description = String(describing: error)
        let names = [URL(fileURLWithPath: input.label).path, input.label, input.printableLabel].map { $0 + ": " }
        let problem = names.first(where: description.hasPrefix).map { String(description.dropFirst($0.count)) } ?? description
        return InputError(path: input.printableLabel, message: problem)
    }
}

/// A one-line error naming the input it concerns, printed by ArgumentParser as "Error: PATH: problem" (exit status 1).
struct InputError: Error, CustomStringConvertible {
    let path: String
    let message: String

    var description: String { "\(path): \(message)" }
}
