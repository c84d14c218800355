import Foundation
import Testing
@testable import Image2Text

@Suite struct CheckpointTests {
    @Test("a complete folder loads; every tensor is mapped with its shape")
    func loadsCompleteFolder() throws {
        let folder = try CheckpointFolder(directory: try SyntheticCheckpoint.folder())
        #expect(folder.config.hiddenSize == 8 && folder.config.visionConfig.tokensPerImage == 5)
        let names = GitTensorNames(config: folder.config)
        #expect(folder.weights.allTensors.count == names.expected.count)
        #expect(folder.weights[names.lmHead.weight]?.shape == [40, 8])
        // No generation_config.json: ids come from config.json, as GenerationConfig.from_model_config does.
        #expect(folder.generationConfig.bosTokenId == 2 && folder.generationConfig.eosTokenIds == [3])
    }

    @Test("git-base defaults give the names, shapes and order of transformers' state_dict (305 tensors, 176,619,066 parameters)")
    func gitBaseTable() throws {
        struct Golden: Decodable {
            struct Tensor: Decodable { let name: String; let shape: [Int] }
            let tensors: [Tensor]
        }
        let golden = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: Fixtures.golden("prng_checkpoint_tensors.json")))
        let config = try JSONDecoder().decode(GitConfig.self, from: Data("{}".utf8))
        let expected = GitTensorNames(config: config).expected
        #expect(expected.map(\.name) == golden.tensors.map(\.name))
        #expect(expected.map(\.shape) == golden.tensors.map(\.shape))
        #expect(expected.reduce(0) { $0 + $1.shape.reduce(1, *) } == 176_619_066)
    }

    @Test("a missing tensor is reported by name")
    func missingTensor() throws {
        let directory = try SyntheticCheckpoint.folder { $0.removeAll { $0.name == "git.encoder.layer.1.output.dense.bias" } }
        #expect(throws: CheckpointError.missingTensors(directory.appendingPathComponent("model.safetensors"),
                                                      names: ["git.encoder.layer.1.output.dense.bias"])) {
            try CheckpointFolder(directory: directory)
        }
    }

    @Test("an unexpected tensor is reported by name")
    func unexpectedTensor() throws {
        let directory = try SyntheticCheckpoint.folder {
            $0.append(TensorData(name: "git.encoder.layer.9.extra", dtype: .float32, shape: [1], bytes: Data(count: 4)))
        }
        #expect(throws: CheckpointError.unexpectedTensors(directory.appendingPathComponent("model.safetensors"),
                                                         names: ["git.encoder.layer.9.extra"])) {
            try CheckpointFolder(directory: directory)
        }
    }

    @Test("a mis-shaped tensor is reported with both shapes")
    func misshapenTensor() throws {
        let directory = try SyntheticCheckpoint.folder { tensors in
            let index = tensors.firstIndex { $0.name == "output.weight" }!
            tensors[index] = TensorData(name: "output.weight", dtype: .float32, shape: [8, 40], bytes: Data(count: 8 * 40 * 4))
        }
        #expect(throws: CheckpointError.shapeMismatch(directory.appendingPathComponent("model.safetensors"),
                                                     tensor: "output.weight", expected: [40, 8], actual: [8, 40])) {
            try CheckpointFolder(directory: directory)
        }
    }

    @Test("an integer tensor where a weight belongs is rejected")
    func integerWeight() throws {
        let directory = try SyntheticCheckpoint.folder { tensors in
            let index = tensors.firstIndex { $0.name == "output.bias" }!
            tensors[index] = TensorData(name: "output.bias", dtype: .int64, shape: [40], bytes: Data(count: 40 * 8))
        }
        #expect(throws: CheckpointError.wrongDType(directory.appendingPathComponent("model.safetensors"), tensor: "output.bias",
                                                  expected: "F32, F16 or BF16", actual: "I64")) {
            try CheckpointFolder(directory: directory)
        }
    }

    @Test("position_ids buffers of old checkpoints are ignored")
    func positionIdsIgnored() throws {
        let directory = try SyntheticCheckpoint.folder {
            $0.append(TensorData(name: "git.embeddings.position_ids", dtype: .int64, shape: [1, 12], bytes: Data(count: 96)))
        }
        let folder = try CheckpointFolder(directory: directory)
        #expect(folder.weights.ignoredNames == ["git.embeddings.position_ids"])
    }

    @Test("the 'temperal' spelling of converted video checkpoints maps to the temporal embeddings")
    func temperalSpelling() throws {
        let config = SyntheticCheckpoint.tinyConfigJSON.replacingOccurrences(
            of: "\"torch_dtype\"", with: "\"num_image_with_embedding\": 2, \"torch_dtype\"")
        let directory = try SyntheticCheckpoint.folder(config: config) { tensors in
            tensors = tensors.map {
                TensorData(name: $0.name.replacingOccurrences(of: "img_temporal", with: "img_temperal"),
                           dtype: $0.dtype, shape: $0.shape, bytes: $0.bytes)
            }
        }
        let folder = try CheckpointFolder(directory: directory)
        let embedding = try #require(folder.weights["git.img_temporal_embedding.1"])
        #expect(embedding.name == "git.img_temperal_embedding.1" && embedding.shape == [1, 1, 8])
    }

    @Test("F16 and BF16 weights load as stored")
    func halfPrecision() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Data(SyntheticCheckpoint.tinyConfigJSON.utf8).write(to: directory.appendingPathComponent("config.json"))
        try SafetensorsFile.write(try SyntheticCheckpoint.tensors(for: SyntheticCheckpoint.tinyConfigJSON, dtype: .float16),
                                  to: directory.appendingPathComponent("model.safetensors"))
        let folder = try CheckpointFolder(directory: directory)
        #expect(folder.weights.allTensors.allSatisfy { $0.dtype == .float16 })
    }

    @Test("a sharded checkpoint loads through model.safetensors.index.json")
    func sharded() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Data(SyntheticCheckpoint.tinyConfigJSON.utf8).write(to: directory.appendingPathComponent("config.json"))
        let tensors = try SyntheticCheckpoint.tensors(for: SyntheticCheckpoint.tinyConfigJSON)
        let (first, second) = (Array(tensors.prefix(10)), Array(tensors.dropFirst(10)))
        try SafetensorsFile.write(first, to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        try SafetensorsFile.write(second, to: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
        var map: [String: String] = [:]
        for tensor in first { map[tensor.name] = "model-00001-of-00002.safetensors" }
        for tensor in second { map[tensor.name] = "model-00002-of-00002.safetensors" }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": map])
        try index.write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        let folder = try CheckpointFolder(directory: directory)
        #expect(folder.weights.files.count == 2)
        #expect(folder.weights.allTensors.count == tensors.count)
    }

    @Test("a folder without weights says so; a broken pytorch_model.bin is named")
    func noWeights() throws {
        let directory = try Fixtures.temporaryDirectory()
        try Data(SyntheticCheckpoint.tinyConfigJSON.utf8).write(to: directory.appendingPathComponent("config.json"))
        #expect(throws: CheckpointError.noWeights(directory, found: ["config.json"])) { try CheckpointFolder(directory: directory) }
        let pickle = directory.appendingPathComponent("pytorch_model.bin")
        try Data([0x50, 0x4b]).write(to: pickle)
        #expect(throws: CheckpointError.unsupportedWeightFormat(pickle, reason: "zip archive: no end-of-central-directory record")) {
            try CheckpointFolder(directory: directory)
        }
    }

    @Test("a missing folder or config.json is named")
    func missingPieces() throws {
        let nowhere = URL(fileURLWithPath: "/nonexistent/checkpoint")
        #expect(throws: CheckpointError.missingFile(nowhere)) { try CheckpointFolder(directory: nowhere) }
        let directory = try SyntheticCheckpoint.folder()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("config.json"))
        #expect(throws: ConfigurationError.missingFile(directory.appendingPathComponent("config.json"))) {
            try CheckpointFolder(directory: directory)
        }
    }
}
