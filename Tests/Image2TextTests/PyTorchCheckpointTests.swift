import Foundation
import Testing
@testable import Image2Text

/// `torch.save` zip checkpoints (`Fixtures/pytorch/`, `tools/reference/make_pytorch_bin_fixtures.py`, golden
/// `pytorch_bin.json`): every tensor's bytes as torch 2.15 holds them; a pickle that would run a shell command is
/// refused and nothing runs.
@Suite struct PyTorchCheckpointTests {
    struct Golden: Decodable {
        struct Tensor: Decodable { let name: String; let dtype: String; let shape: [Int]; let sha256: String }
        let tensors: [Tensor]
        let malicious_marker: String
    }

    static let golden = Result { try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("pytorch_bin.json"))) }

    @Test("every tensor of a torch.save state dict: name, dtype, shape and bytes as torch's")
    func stateDict() throws {
        let golden = try Self.golden.get()
        let checkpoint = try PyTorchCheckpoint(contentsOf: Fixtures.root.appendingPathComponent("pytorch/state_dict.bin"))
        #expect(checkpoint.tensors.map(\.name) == golden.tensors.map(\.name))
        let dtypes: [String: TensorDType] = ["float32": .float32, "float16": .float16, "bfloat16": .bfloat16]
        for (tensor, expected) in zip(checkpoint.tensors, golden.tensors) {
            #expect(tensor.dtype == dtypes[expected.dtype] && tensor.shape == expected.shape, "\(tensor.name)")
            #expect(SHA256.hexDigest(checkpoint.bytes(of: tensor)) == expected.sha256, "\(tensor.name) bytes")
        }
    }

    @Test("a pickle that calls os.system is refused before anything runs")
    func maliciousPickle() throws {
        let golden = try Self.golden.get()
        try? FileManager.default.removeItem(atPath: golden.malicious_marker)
        let url = Fixtures.root.appendingPathComponent("pytorch/malicious.bin")
        #expect(throws: CheckpointError.unsafePickle(url, global: "posix.system")) { try PyTorchCheckpoint(contentsOf: url) }
        #expect(!FileManager.default.fileExists(atPath: golden.malicious_marker))
    }

    @Test("a file that is not a zip checkpoint, or a truncated one, gives a typed error")
    func notZip() throws {
        let url = Fixtures.tinyModel.appendingPathComponent("config.json")
        #expect(throws: CheckpointError.unsupportedWeightFormat(url, reason: "zip archive: no end-of-central-directory record")) {
            try PyTorchCheckpoint(contentsOf: url)
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let whole = try Data(contentsOf: Fixtures.root.appendingPathComponent("pytorch/state_dict.bin"))
        for length in [whole.count / 2, whole.count - 30, 10] {
            let truncated = directory.appendingPathComponent("cut-\(length).bin")
            try whole.prefix(length).write(to: truncated)
            #expect(throws: CheckpointError.self, "cut to \(length) bytes") { try PyTorchCheckpoint(contentsOf: truncated) }
        }
    }

    @Test("the legacy (PyTorch < 1.6) format is named in the error")
    func legacyFormat() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("pytorch_model.bin")
        try Data(PyTorchCheckpoint.legacyMagic + Array(repeating: 0x2e, count: 64)).write(to: url)
        #expect(throws: CheckpointError.self) { try PyTorchCheckpoint(contentsOf: url) }
        do { _ = try PyTorchCheckpoint(contentsOf: url) } catch {
            #expect("\(error)".contains("legacy torch.save format of PyTorch < 1.6"), "\(error)")
        }
    }

    @Test("sharded pytorch_model-0000K-of-0000N.bin files with their index load as the safetensors folder")
    func shardedFolder() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.tinyModel.path) where name != "model.safetensors" {
            try FileManager.default.copyItem(at: Fixtures.tinyModel.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let file = try SafetensorsFile(contentsOf: Fixtures.tinyModel.appendingPathComponent("model.safetensors"))
        let tensors = file.tensors.map { TensorData(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Data(file.bytes(of: $0))) }
        let half = tensors.count / 2
        var weightMap = [String: String]()
        for (shard, part) in [tensors[..<half], tensors[half...]].enumerated() {
            let name = "pytorch_model-0000\(shard + 1)-of-00002.bin"
            try StateDictWriter.write(Array(part), to: directory.appendingPathComponent(name))
            for tensor in part { weightMap[tensor.name] = name }
        }
        try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap])
            .write(to: directory.appendingPathComponent("pytorch_model.bin.index.json"))
        let original = try GITModel(directory: Fixtures.tinyModel), sharded = try GITModel(directory: directory)
        #expect(sharded.weights.files.count == 2 && sharded.weights.files.allSatisfy { $0 is PyTorchCheckpoint })
        for (ours, reference) in zip(sharded.weights.allTensors, original.weights.allTensors) {
            #expect(ours.name == reference.name && Data(ours.bytes) == Data(reference.bytes), "\(ours.name)")
        }
        let rgb = try TinyModelGenerationTests.image("0.png")
        #expect(try sharded.caption(rgb).ids == original.caption(rgb).ids)
    }

    @Test("a folder with pytorch_model.bin instead of model.safetensors: the same tensors, the same captions")
    func folder() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in try FileManager.default.contentsOfDirectory(atPath: Fixtures.tinyModel.path) where name != "model.safetensors" {
            try FileManager.default.copyItem(at: Fixtures.tinyModel.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let file = try SafetensorsFile(contentsOf: Fixtures.tinyModel.appendingPathComponent("model.safetensors"))
        try StateDictWriter.write(file.tensors.map { TensorData(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Data(file.bytes(of: $0))) },
                                  to: directory.appendingPathComponent("pytorch_model.bin"))
        let original = try GITModel(directory: Fixtures.tinyModel), twin = try GITModel(directory: directory)
        #expect(twin.weights.files.first is PyTorchCheckpoint)
        #expect(twin.weights.allTensors.map(\.name) == original.weights.allTensors.map(\.name))
        for (ours, reference) in zip(twin.weights.allTensors, original.weights.allTensors) {
            #expect(ours.dtype == reference.dtype && ours.shape == reference.shape && Data(ours.bytes) == Data(reference.bytes), "\(ours.name)")
        }
        for image in ["0.png", "5.png"] {
            let rgb = try TinyModelGenerationTests.image(image)
            #expect(try twin.caption(rgb).ids == original.caption(rgb).ids)
        }
    }
}
