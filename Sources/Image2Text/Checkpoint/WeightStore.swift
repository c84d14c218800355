import Foundation
import Image2TextSupport

/// One weight tensor as stored: element type, shape and a view of its bytes in the memory-mapped file.
public struct WeightTensor: @unchecked Sendable {
    // `bytes` points into a read-only mapping owned by the WeightStore, which outlives every use.
    public let name: String
    public let dtype: TensorDType
    public let shape: [Int]
    public let bytes: UnsafeRawBufferPointer
}

/// A memory-mapped weight file: `model.safetensors` (or a shard of it) or a `torch.save` `pytorch_model.bin`.
public protocol WeightFile: Sendable {
    var url: URL { get }
    /// The tensors, in the file's order.
    var tensors: [TensorInfo] { get }
    /// A tensor's bytes, a view into the mapping that stays valid as long as the file object lives.
    func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer
}

extension SafetensorsFile: WeightFile {}
extension PyTorchCheckpoint: WeightFile {}

/// The weights of a checkpoint folder, checked strictly against the tensors the configuration needs: every expected
/// tensor present with its shape and a floating-point dtype (or, for weight matrices, I8 with its per-row F32
/// `…_scale`), every tensor of the file used or deliberately ignored (`*.position_ids`). Weights stay memory-mapped;
/// nothing is copied or converted here.
public final class WeightStore: Sendable {
    /// The weight files, in load order (one, or the shards of a sharded checkpoint).
    public let files: [any WeightFile]
    private let tensors: [String: WeightTensor]
    /// Tensors present in the files but ignored (`*.position_ids` buffers).
    public let ignoredNames: [String]

    /// Checks the weight `files` of `directory` (``weightFiles(in:)``) against `expected`.
    package init(files: [any WeightFile], directory: URL, expected: [ExpectedTensor]) throws {
        self.files = files
        var tensors: [String: WeightTensor] = [:]
        var ignored: [String] = []
        var origin: [String: URL] = [:]
        for file in files {
            for info in file.tensors {
                guard let name = GitTensorNames.canonicalName(info.name) else {
                    ignored.append(info.name)
                    continue
                }
                if let first = origin[name] {
                    throw CheckpointError.invalidIndex(file.url, reason: "tensor '\(name)' also appears in \(first.lastPathComponent)")
                }
                origin[name] = file.url
                tensors[name] = WeightTensor(name: info.name, dtype: info.dtype, shape: info.shape, bytes: file.bytes(of: info))
            }
        }
        let fileURL = files.count == 1 ? files[0].url : directory
        let expectedNames = Set(expected.map(\.name))
        let missing = expected.map(\.name).filter { tensors[$0] == nil }
        if !missing.isEmpty { throw CheckpointError.missingTensors(fileURL, names: missing) }
        let int8Scales = Set(expected.filter { $0.isMatrix && tensors[$0.name]?.dtype == .int8 }.map(\.scaleName))
        let unexpected = tensors.keys.filter { !expectedNames.contains($0) && !int8Scales.contains($0) }.sorted()
        if !unexpected.isEmpty { throw CheckpointError.unexpectedTensors(fileURL, names: unexpected.map { tensors[$0]?.name ?? $0 }) }
        for entry in expected {
            guard let tensor = tensors[entry.name] else { continue }
            let url = origin[entry.name] ?? fileURL
            if entry.isMatrix, tensor.dtype == .int8 {
                guard let scales = tensors[entry.scaleName] else {
                    throw CheckpointError.missingTensors(url, names: [entry.scaleName])
                }
                guard scales.dtype == .float32 else {
                    throw CheckpointError.wrongDType(origin[entry.scaleName] ?? url, tensor: scales.name, expected: "F32",
                                                     actual: scales.dtype.rawValue)
                }
                guard scales.shape == [entry.shape[0]] else {
                    throw CheckpointError.shapeMismatch(origin[entry.scaleName] ?? url, tensor: scales.name, expected: [entry.shape[0]],
                                                        actual: scales.shape)
                }
            } else if !tensor.dtype.isWeightFloat {
                throw CheckpointError.wrongDType(url, tensor: tensor.name,
                                                 expected: entry.isMatrix ? "F32, F16, BF16 or I8" : "F32, F16 or BF16",
                                                 actual: tensor.dtype.rawValue)
            }
            guard tensor.shape == entry.shape else {
                throw CheckpointError.shapeMismatch(url, tensor: tensor.name, expected: entry.shape, actual: tensor.shape)
            }
        }
        self.tensors = tensors
        ignoredNames = ignored
    }

    /// The tensor stored under the canonical Hugging Face `name` (see ``GitTensorNames``).
    package subscript(name: String) -> WeightTensor? { tensors[name] }

    /// All tensors, sorted by name.
    public var allTensors: [WeightTensor] { tensors.values.sorted { $0.name < $1.name } }

    /// Total bytes of weight data.
    public var byteCount: Int { tensors.values.reduce(0) { $0 + $1.bytes.count } }

    /// Opens the weights of `directory`: the first found of `model.safetensors`, the shards listed by
    /// `model.safetensors.index.json`, `pytorch_model.bin`, the shards listed by `pytorch_model.bin.index.json`.
    package static func weightFiles(in directory: URL) throws -> [any WeightFile] {
        let files = FileManager.default
        let single = directory.appendingPathComponent(CheckpointFileNames.safetensors)
        if files.fileExists(atPath: single.path) { return [try SafetensorsFile(contentsOf: single)] }
        let index = directory.appendingPathComponent(CheckpointFileNames.safetensorsIndex)
        if files.fileExists(atPath: index.path) { return try shards(listedIn: index, open: SafetensorsFile.init) }
        let pickle = directory.appendingPathComponent(CheckpointFileNames.pytorch)
        if files.fileExists(atPath: pickle.path) { return [try PyTorchCheckpoint(contentsOf: pickle)] }
        let pickleIndex = directory.appendingPathComponent(CheckpointFileNames.pytorchIndex)
        if files.fileExists(atPath: pickleIndex.path) { return try shards(listedIn: pickleIndex, open: PyTorchCheckpoint.init) }
        throw CheckpointError.noWeights(directory, found: (try? files.contentsOfDirectory(atPath: directory.path).sorted()) ?? [])
    }

    /// The shard files a Hugging Face index (`weight_map`: tensor name → file name) lists, opened by `open`.
    private static func shards(listedIn index: URL, open: (URL) throws -> any WeightFile) throws -> [any WeightFile] {
        let shardIndex = try JSONFile.decode(ShardIndex.self, from: index)
        let shards = Array(Set(shardIndex.weightMap.values)).sorted()
        guard !shards.isEmpty else { throw CheckpointError.invalidIndex(index, reason: "weight_map is empty") }
        return try shards.map { shard in
            guard !shard.contains("/"), !shard.hasPrefix(".") else {
                throw CheckpointError.invalidIndex(index, reason: "shard name '\(shard)' is not a plain file name")
            }
            return try open(index.deletingLastPathComponent().appendingPathComponent(shard))
        }
    }

    private struct ShardIndex: Decodable {
        let weightMap: [String: String]
        enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
    }
}
