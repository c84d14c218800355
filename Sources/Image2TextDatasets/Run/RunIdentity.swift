import Foundation
import Image2Text

/// What shapes a run's results, recorded once beside its output (`OUT.run.json`, written before the first record) and
/// compared when the run is resumed: a resumed run that would give other results for the same inputs is refused,
/// naming each field that differs. Keys are snake_case; `generation` holds the options given, by transformers'
/// names. `created_at` and `model.reference` (how the model was named) are recorded but not compared.
package struct RunIdentity: Codable, Equatable, Sendable {
    package struct Model: Codable, Equatable, Sendable {
        /// How the model was named: a hub repository, a folder, or `demo`.
        package var reference: String
        /// The hub revision (commit) of a cached snapshot.
        package var revision: String?
        /// Every file's hash (``ModelFingerprint``).
        package var files: [String: String]

        package init(reference: String, revision: String?, files: [String: String]) {
            self.reference = reference
            self.revision = revision
            self.files = files
        }
    }

    /// `image2text VERSION (commit C)`.
    package var image2text: String
    package var task: DatasetTask
    package var model: Model
    /// The generation options given, by transformers' names (`num_beams`, `max_new_tokens`, …).
    package var generation: [String: JSONValue]
    /// The side the images are resized and cropped to.
    package var imageSize: Int
    /// The weight type computed with: `f32`, `f16`, `bf16`, `int8`, or `stored` (as the checkpoint holds them).
    package var dtype: String
    /// The one question asked of every input (`--question`).
    package var question: String?
    /// Classification labels.
    package var labels: [String]?
    /// Video frames sampled per input (`--frames`).
    package var frames: Int?
    /// `--exif-orientation`.
    package var exifOrientation: String
    package var format: RecordFormat
    package var includeJSON: Bool
    /// The folder keys are relative to (``InputRoot``).
    package var inputRoot: String
    package var createdAt: String

    package init(image2text: String, task: DatasetTask, model: Model, generation: [String: JSONValue], imageSize: Int,
                 dtype: String, question: String?, labels: [String]?, frames: Int?, exifOrientation: String,
                 format: RecordFormat, includeJSON: Bool, inputRoot: String, createdAt: String) {
        self.image2text = image2text
        self.task = task
        self.model = model
        self.generation = generation
        self.imageSize = imageSize
        self.dtype = dtype
        self.question = question
        self.labels = labels
        self.frames = frames
        self.exifOrientation = exifOrientation
        self.format = format
        self.includeJSON = includeJSON
        self.inputRoot = inputRoot
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case image2text, task, model, generation, question, labels, frames, format
        case imageSize = "image_size", dtype, exifOrientation = "exif_orientation", includeJSON = "include_json"
        case inputRoot = "input_root", createdAt = "created_at"
    }

    /// The sidecar of the output file at `path`.
    package static func sidecar(of path: String) -> String { path + ".run.json" }

    /// One field that differs: its dotted name, the recorded value and this run's (`unset` when absent).
    package struct Difference: Equatable, Sendable, CustomStringConvertible {
        package let field: String
        package let recorded: String
        package let now: String

        package var description: String { "\(field): \(recorded) → \(now)" }
    }

    /// A sidecar that cannot be read, or a resumed run that differs from the recorded one.
    package enum Failure: Error, Equatable, CustomStringConvertible {
        case unreadable(file: String, reason: String)
        case differs(file: String, output: String, differences: [Difference])

        package var description: String {
            switch self {
            case .unreadable(let file, let reason): "\(file): not a run identity file: \(reason)"
            case .differs(let file, let output, let differences):
                "\(output) was written by another run (\(file)): " + differences.map(\.description).joined(separator: "; ")
                    + ". Give --overwrite to start the file again, or another output"
            }
        }
    }

    /// The identity in `data`, read from `file`; a ``Failure/unreadable(file:reason:)`` naming the field at fault.
    package static func read(_ data: Data, file: String) throws(Failure) -> RunIdentity {
        do {
            return try JSONDecoder().decode(RunIdentity.self, from: data)
        } catch let error as DecodingError {
            throw .unreadable(file: file, reason: Self.reason(error))
        } catch {
            throw .unreadable(file: file, reason: "\(error)")
        }
    }

    /// Pretty JSON with sorted keys.
    package func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// The compared fields that differ from `recorded`, by dotted name, in name order.
    package func differences(from recorded: RunIdentity) -> [Difference] {
        let (before, after) = (recorded.comparedFields, comparedFields)
        return Set(before.keys).union(after.keys).sorted().compactMap { field in
            before[field] == after[field] ? nil
                : Difference(field: field, recorded: before[field]?.description ?? "unset", now: after[field]?.description ?? "unset")
        }
    }

    /// Every compared field as a dotted name and its value.
    private var comparedFields: [String: JSONValue] {
        guard let data = try? JSONEncoder().encode(self), let value = JSONValue.parse(data) else { return [:] }
        var fields: [String: JSONValue] = [:]
        func flatten(_ value: JSONValue, _ name: String) {
            if case .object(let members) = value {
                for (key, member) in members { flatten(member, name.isEmpty ? key : name + "." + key) }
            } else if !["created_at", "model.reference"].contains(name), value != .null {
                fields[name] = value
            }
        }
        flatten(value, "")
        return fields
    }

    private static func reason(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let prefix = path(context)
            return "field \(prefix.isEmpty ? key.stringValue : prefix + "." + key.stringValue) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return path(context).isEmpty ? "not JSON (\(context.debugDescription))" : "field \(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
