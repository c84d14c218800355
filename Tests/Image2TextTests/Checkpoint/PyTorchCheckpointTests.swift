import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// `torch.save` zip checkpoints (`Fixtures/pytorch/`, `tools/reference/make_pytorch_bin_fixtures.py`, golden
/// `pytorch_bin.json`): every tensor's bytes as torch 2.15 holds them; a pickle that would run a shell command is
/// refused and nothing runs.
@Suite struct PyTorchCheckpointTests {
    struct Golden: Decodable {
        struct Tensor: Decodable { let name: String; let dtype: String; let shape: [Int]; let strides: [Int]; let sha256: String }
        struct File: Decodable { let tensors: [Tensor]; let metadata: [String]?; let pickle_sha256: String? }
        let tensors: [Tensor]
        let malicious_marker: String
        let transformers4: File
        let parameters: File
        let storage_types: File
    }

    static let golden = Result { try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("pytorch_bin.json"))) }

    static func fixture(_ name: String) -> URL { Fixtures.root.appendingPathComponent("pytorch/\(name).bin") }

    /// Checks every tensor of a torch-written file against the golden: name, dtype, shape and bytes.
    static func expectTensors(of checkpoint: PyTorchCheckpoint, _ golden: [Golden.Tensor]) {
        let dtypes: [String: TensorDType] = [
            "float32": .float32, "float16": .float16, "bfloat16": .bfloat16, "float64": .float64, "int64": .int64,
            "int32": .int32, "int16": .int16, "int8": .int8, "uint8": .uint8, "bool": .bool,
        ]
        #expect(checkpoint.tensors.map(\.name) == golden.map(\.name))
        for (tensor, expected) in zip(checkpoint.tensors, golden) {
            #expect(tensor.dtype == dtypes[expected.dtype] && tensor.shape == expected.shape, "\(tensor.name)")
            #expect(SHA256.hexDigest(checkpoint.bytes(of: tensor)) == expected.sha256, "\(tensor.name) bytes")
        }
    }

    /// The tensors of a checkpoint, as the state dict writer takes them.
    static func tensorData(_ checkpoint: PyTorchCheckpoint) -> [TensorData] {
        checkpoint.tensors.map { TensorData(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Data(checkpoint.bytes(of: $0))) }
    }

    /// The bytes of `data.pkl` in a torch.save file.
    static func pickleBytes(_ url: URL) throws -> Data {
        let file = try Data(contentsOf: url)
        return try file.withUnsafeBytes { bytes in
            let archive = try ZipArchive(bytes, url: url)
            let entry = try #require(archive.entries.first { $0.name.hasSuffix("/data.pkl") })
            return Data(bytes[entry.range])
        }
    }

    @Test("every tensor of a torch.save state dict: name, dtype, shape and bytes as torch's")
    func stateDict() throws {
        let golden = try Self.golden.get()
        Self.expectTensors(of: try PyTorchCheckpoint(contentsOf: Self.fixture("state_dict")), golden.tensors)
    }

    @Test("every storage type a state dict may carry is read as data: Double, Long, Int, Short, Char, Byte, Bool")
    func storageTypes() throws {
        let golden = try Self.golden.get()
        Self.expectTensors(of: try PyTorchCheckpoint(contentsOf: Self.fixture("storage_types")), golden.storage_types.tensors)
    }

    @Test("a transformers 4.x state dict (int64 position_ids, LongStorage, _metadata) loads; the writer makes its exact pickle")
    func transformers4StateDict() throws {
        let golden = try Self.golden.get().transformers4
        let url = Self.fixture("transformers4")
        let checkpoint = try PyTorchCheckpoint(contentsOf: url)
        Self.expectTensors(of: checkpoint, golden.tensors)
        let positions = try #require(checkpoint.tensors.first { $0.name == "git.embeddings.position_ids" })
        #expect(positions.dtype == .int64 && positions.shape == [1, 6])
        #expect(golden.tensors.first { $0.name == positions.name }?.strides == [6, 1])
        let torchPickle = try Self.pickleBytes(url)
        #expect(SHA256.hexDigest(torchPickle) == golden.pickle_sha256)
        #expect(StateDictWriter.pickle(Self.tensorData(checkpoint), metadata: golden.metadata) == torchPickle)
    }

    @Test("nn.Parameters (torch._utils._rebuild_parameter) load; the writer makes their exact pickle")
    func parameters() throws {
        let golden = try Self.golden.get().parameters
        let url = Self.fixture("parameters")
        let checkpoint = try PyTorchCheckpoint(contentsOf: url)
        Self.expectTensors(of: checkpoint, golden.tensors)
        #expect(StateDictWriter.pickle(Self.tensorData(checkpoint), asParameters: true) == (try Self.pickleBytes(url)))
    }

    @Test("a 4.x position_ids buffer recorded with stride 0 on its size-1 dimension loads")
    func strideZeroPositionIds() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tensors = Self.tensorData(try PyTorchCheckpoint(contentsOf: Self.fixture("transformers4")))
        let url = directory.appendingPathComponent("pytorch_model.bin")
        try StateDictWriter.write(tensors, strides: ["git.embeddings.position_ids": [0, 1]], to: url)
        let checkpoint = try PyTorchCheckpoint(contentsOf: url)
        #expect(Self.tensorData(checkpoint).map(\.bytes) == tensors.map(\.bytes))
    }

    /// The demo model as transformers 4.2x's `save_pretrained` wrote the 2023 `pytorch_model.bin` uploads: its
    /// tensors in `state_dict()` order with the persistent int64 `position_ids` buffers (`arange(n).expand((1, -1))`,
    /// [1, max_position_embeddings] and [1, image tokens]) in their places, and the `_metadata` of its modules.
    static func writeTransformers4Twin(of source: URL, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name != "model.safetensors" {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let config = try GitConfig.load(from: source.appendingPathComponent("config.json"))
        let file = try SafetensorsFile(contentsOf: source.appendingPathComponent("model.safetensors"))
        func positionIds(_ name: String, _ count: Int) -> TensorData {
            TensorData(name: name, dtype: .int64, shape: [1, count],
                       bytes: (0..<Int64(count)).map(\.littleEndian).withUnsafeBytes { Data($0) })
        }
        var tensors = [TensorData]()
        for expected in GitTensorNames(config: config).expected {
            let info = try #require(file[expected.name])
            if expected.name == "git.embeddings.word_embeddings.weight" {
                tensors.append(positionIds("git.embeddings.position_ids", config.maxPositionEmbeddings))
            }
            tensors.append(TensorData(name: info.name, dtype: info.dtype, shape: info.shape, bytes: Data(file.bytes(of: info))))
            if expected.name == "git.image_encoder.vision_model.embeddings.class_embedding" {
                tensors.append(positionIds("git.image_encoder.vision_model.embeddings.position_ids", config.visionConfig.tokensPerImage))
            }
        }
        // Every module that holds a tensor, parents first, as `state_dict()._metadata` lists them.
        var metadata = [String]()
        for tensor in tensors {
            let parts = tensor.name.split(separator: ".").dropLast()
            for length in 0...parts.count {
                let prefix = parts.prefix(length).joined(separator: ".")
                if !metadata.contains(prefix) { metadata.append(prefix) }
            }
        }
        try StateDictWriter.write(tensors, metadata: metadata, to: directory.appendingPathComponent("pytorch_model.bin"))
    }

    @Test("the demo model saved as transformers 4.x did: loads, captions as the safetensors model; convert drops the buffers")
    func transformers4DemoModel() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let twinFolder = directory.appendingPathComponent("bin"), converted = directory.appendingPathComponent("converted")
        try Self.writeTransformers4Twin(of: Fixtures.tinyModel, to: twinFolder)
        let original = try GITModel(directory: Fixtures.tinyModel), twin = try GITModel(directory: twinFolder)
        #expect(twin.weights.files.first is PyTorchCheckpoint)
        #expect(twin.weights.ignoredNames == ["git.embeddings.position_ids", "git.image_encoder.vision_model.embeddings.position_ids"])
        for (ours, reference) in zip(twin.weights.allTensors, original.weights.allTensors) {
            #expect(ours.name == reference.name && Data(ours.bytes) == Data(reference.bytes), "\(ours.name)")
        }
        try CheckpointConversion.convert(directory: twinFolder, to: .float32, output: converted)
        #expect(!FileManager.default.fileExists(atPath: converted.appendingPathComponent("pytorch_model.bin").path))
        let file = try SafetensorsFile(contentsOf: converted.appendingPathComponent("model.safetensors"))
        #expect(file.tensors.count == original.weights.allTensors.count && !file.tensors.contains { $0.name.hasSuffix("position_ids") })
        let reloaded = try GITModel(directory: converted)
        for image in ["0.png", "5.png", "10.png", "15.png"] {
            let rgb = try TinyModelGenerationTests.image(image)
            let expected = try original.caption(rgb)
            #expect(try twin.caption(rgb).ids == expected.ids, "\(image)")
            #expect(try reloaded.caption(rgb).ids == expected.ids, "\(image)")
            #expect(try twin.answer("what color is the shape?", about: rgb).ids
                == original.answer("what color is the shape?", about: rgb).ids, "\(image)")
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
