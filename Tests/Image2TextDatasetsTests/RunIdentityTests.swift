import Foundation
import Testing
@testable import Image2TextDatasets

/// The run identity sidecar: written, read back, compared field by field, and refused by field when damaged.
@Suite struct RunIdentityTests {
    static let identity = RunIdentity(
        image2text: "0.1.0 (commit abc)", task: .ask, model: RunIdentity.Model(reference: "demo", revision: nil, files: ["model.safetensors": "aa"]),
        generation: ["num_beams": .number(3)], imageSize: 64, dtype: "stored", question: "what?", labels: nil, frames: nil,
        exifOrientation: "ignore", format: .jsonl, includeJSON: false, inputRoot: "/data", createdAt: "2026-12-01T00:00:00Z")

    @Test("read back equal; another creation time or model reference is no difference; each differing field is named")
    func differences() throws {
        let read = try RunIdentity.read(Self.identity.json(), file: "out.jsonl.run.json")
        #expect(read == Self.identity)
        var other = Self.identity
        other.createdAt = "later"
        other.model.reference = "Models/git-tiny-easyvqa"
        #expect(other.differences(from: Self.identity).isEmpty)
        other.generation = ["num_beams": .number(1), "max_new_tokens": .number(5)]
        other.model.files["model.safetensors"] = "bb"
        other.dtype = "f16"
        #expect(other.differences(from: Self.identity).map(\.description) == [
            "dtype: \"stored\" → \"f16\"", "generation.max_new_tokens: unset → 5", "generation.num_beams: 3 → 1",
            "model.files.model.safetensors: \"aa\" → \"bb\"",
        ])
        let failure = RunIdentity.Failure.differs(file: "o.run.json", output: "o", differences: other.differences(from: Self.identity))
        #expect(failure.description.hasPrefix("o was written by another run (o.run.json): dtype: "))
        #expect(failure.description.hasSuffix("Give --overwrite to start the file again, or another output"))
    }

    @Test("a sidecar that is not JSON, lacks a field or has one of the wrong type is refused, naming the field")
    func unreadable() throws {
        #expect(throws: RunIdentity.Failure.self) { try RunIdentity.read(Data("{".utf8), file: "x") }
        var object = try #require(try JSONSerialization.jsonObject(with: Self.identity.json()) as? [String: Any])
        object["image_size"] = nil
        do {
            _ = try RunIdentity.read(try JSONSerialization.data(withJSONObject: object), file: "x.run.json")
            Issue.record("read")
        } catch let error as RunIdentity.Failure {
            #expect(error.description == "x.run.json: not a run identity file: field image_size is missing")
        } catch {
            Issue.record(error)
        }
        object["image_size"] = 64
        object["model"] = ["reference": "demo", "files": ["a": 1]]
        do {
            _ = try RunIdentity.read(try JSONSerialization.data(withJSONObject: object), file: "x.run.json")
            Issue.record("read")
        } catch let error as RunIdentity.Failure {
            #expect(error.description.hasPrefix("x.run.json: not a run identity file: field model.files.a: "), "\(error)")
        } catch {
            Issue.record(error)
        }
    }
}
