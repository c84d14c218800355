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

    /// Runs `work` for the input at `path`. An error about the request ends the command (it would repeat for every
    /// input); any other is printed as the input's problem and counted in `failures`, and the result is nil.
    static func forInput<Result>(_ path: String, failures: inout Int, _ work: () throws -> Result) throws -> Result? {
        do {
            return try work()
        } catch where concernsRequest(error) {
            throw error
        } catch {
            printError(imageProblem(error, path: path).description)
            failures += 1
            return nil
        }
    }

    /// The one-line problem of the image at `path` (as given on the command line): `PATH: problem`. Library errors
    /// about an image file name its absolute path; that name is replaced by `path`.
    static func imageProblem(_ error: any Error, path: String) -> InputError {
        let description = String(describing: error)
        let absolute = URL(fileURLWithPath: path).path + ": "
        let problem = description.hasPrefix(absolute) ? String(description.dropFirst(absolute.count)) : description
        return InputError(path: path, message: problem)
    }
}

/// A one-line error naming the input it concerns, printed by ArgumentParser as "Error: PATH: problem" (exit status 1).
struct InputError: Error, CustomStringConvertible {
    let path: String
    let message: String

    var description: String { "\(path): \(message)" }
}
