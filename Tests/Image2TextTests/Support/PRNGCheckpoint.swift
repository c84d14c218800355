import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// The PRNG checkpoints of `tools/reference/PRNG_CHECKPOINT.md`: every tensor of a GIT model filled from
/// FNV-1a-64(name)-seeded SplitMix64, bit-identical to the Python generator. Three configurations are committed as
/// small files: the full-size git-base shape (`Fixtures/prng-checkpoint/`, `make_prng_checkpoint.py`, sha256 of every
/// tensor in `Fixtures/goldens/prng_checkpoint_tensors.json`), a small git-large-like shape
/// (`Fixtures/prng-checkpoint-large-shape/`, `make_large_shape_goldens.py`, sha256 in the `tensors` of
/// `Fixtures/goldens/prng_large_shape_model.json`) and git-large's real shape (`Fixtures/prng-checkpoint-git-large/`,
/// `make_git_large_goldens.py`, sha256 in `Fixtures/goldens/prng_git_large_model.json`).
enum PRNGCheckpoint {
    /// Scale and offset of a tensor's values: `value = Float(offset + scale · x)`, x uniform in [-1, 1).
    struct Role: Equatable, Sendable {
        var name: String
        var scale: Double
        var offset: Double
    }

    // MARK: Scheme

    /// FNV-1a 64 of the UTF-8 bytes of `name`.
    static func seed(for name: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// The role table of PRNG_CHECKPOINT.md; the first matching row wins, top to bottom.
    static func role(for name: String, shape: [Int]) -> Role {
        let layerNormSuffixes = ["LayerNorm.weight", "layer_norm1.weight", "layer_norm2.weight",
                                 "pre_layrnorm.weight", "post_layernorm.weight"]
        if layerNormSuffixes.contains(where: name.hasSuffix)
            || name == "git.visual_projection.visual_projection.1.weight" {
            return Role(name: "layernorm_weight", scale: 0x1p-3, offset: 1)
        }
        if name.hasSuffix(".bias") {
            return Role(name: "bias", scale: 0x1p-4, offset: 0)
        }
        let embeddingSuffixes = ["word_embeddings.weight", "position_embeddings.weight",
                                 "position_embedding.weight", "class_embedding"]
        if embeddingSuffixes.contains(where: name.hasSuffix)
            || name.contains("img_temporal_embedding.") || name.contains("img_temperal_embedding.") {
            return Role(name: "embedding", scale: 1, offset: 0)
        }
        if name == "output.weight" {
            return Role(name: "lm_head", scale: 0x1p-1, offset: 0)
        }
        let fanIn = shape.dropFirst().reduce(1, *)
        var k = 0
        var bound = 3  // 3 · 4^k
        while bound < fanIn {
            k += 1
            bound *= 4
        }
        return Role(name: "weight", scale: Double(sign: .plus, exponent: -k, significand: 1), offset: 0)
    }

    /// Output number `index` (0-based) of SplitMix64 started from `seed`: the state after index+1 increments is
    /// seed + (index+1)·γ (mod 2^64), so any element can be computed on its own.
    @inline(__always)
    static func splitMix64(seed: UInt64, index: Int) -> UInt64 {
        var z = seed &+ UInt64(truncatingIfNeeded: index &+ 1) &* 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Element `index` (row-major) of the tensor with this seed and role.
    @inline(__always)
    static func value(seed: UInt64, index: Int, scale: Double, offset: Double) -> Float {
        let u = Int64(truncatingIfNeeded: splitMix64(seed: seed, index: index) >> 40)  // 24-bit integer
        let x = Double(u - (1 << 23)) * 0x1p-23    // exact, in [-1, 1)
        return Float(offset + scale * x)           // exact in Double; one round-to-nearest-even cast
    }

    /// Fills `buffer` with the values of the tensor `name` of shape `shape` (buffer.count == product of shape).
    /// Splits the work over the available cores.
    static func fill(_ buffer: UnsafeMutableBufferPointer<Float>, name: String, shape: [Int]) {
        precondition(buffer.count == shape.reduce(1, *), "buffer size does not match the shape of \(name)")
        let seed = seed(for: name)
        let role = role(for: name, shape: shape)
        let scale = role.scale, offset = role.offset
        let count = buffer.count
        guard let base = buffer.baseAddress, count > 0 else { return }
        let chunk = 1 << 18
        let chunks = (count + chunk - 1) / chunk
        nonisolated(unsafe) let out = base
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = c * chunk, end = min(start + chunk, count)
            for i in start..<end {
                out[i] = value(seed: seed, index: i, scale: scale, offset: offset)
            }
        }
    }

    /// The values of the tensor `name` of shape `shape`, row-major.
    static func values(name: String, shape: [Int]) -> [Float] {
        let count = shape.reduce(1, *)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer, name: name, shape: shape)
            initialized = count
        }
    }

    // MARK: Manifest (Fixtures/goldens/prng_checkpoint_tensors.json)

    struct Manifest: Decodable, Sendable {
        struct Tensor: Decodable, Sendable {
            var name: String
            var dtype: String
            var shape: [Int]
            var role: String
            var scale: Double
            var offset: Double
            var seed: String
            var sha256: String
            var first: [Double]

            var count: Int { shape.reduce(1, *) }
        }

        var tensorCount: Int
        var parameterCount: Int
        var tensors: [Tensor]

        enum CodingKeys: String, CodingKey {
            case tensorCount = "tensor_count"
            case parameterCount = "parameter_count"
            case tensors
        }
    }

    /// Records an issue unless `weights` holds exactly `expected` (name, shape, sha256 of the little-endian float32
    /// bytes), as F32 and stored in that order in one file.
    /// `hashing` picks the tensors whose bytes are hashed (all by default; names, shapes and order are always checked).
    static func expectWeights(_ weights: WeightStore, equal expected: [(name: String, shape: [Int], sha256: String)],
                              hashing: (String) -> Bool = { _ in true }) {
        #expect(weights.ignoredNames.isEmpty)
        #expect(weights.allTensors.count == expected.count)
        #expect(weights.byteCount == expected.reduce(0) { $0 + $1.shape.reduce(1, *) } * MemoryLayout<Float>.size)
        #expect(weights.files.count == 1)
        #expect(weights.files.first?.tensors.map(\.name) == expected.map(\.name), "data order is transformers' state_dict() order")
        var mismatches: [String] = []
        for tensor in expected {
            guard let stored = weights[tensor.name] else {
                Issue.record("\(tensor.name) missing from the loaded checkpoint")
                continue
            }
            #expect(stored.dtype == .float32 && stored.shape == tensor.shape, "dtype/shape of \(tensor.name)")
            if hashing(tensor.name), SHA256.hexDigest(stored.bytes) != tensor.sha256 { mismatches.append(tensor.name) }
        }
        #expect(mismatches.isEmpty, "sha256 differs for \(mismatches.count) tensors: \(mismatches.prefix(10))")
    }

    static let manifestURL = Fixtures.golden("prng_checkpoint_tensors.json")

    /// Python's list of tensors, in state_dict() order, with their sha256.
    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))
    }

    /// The small non-weight files transformers 5.23 wrote next to the checkpoint (`make_prng_checkpoint.py`).
    static let smallFiles = Fixtures.root.appendingPathComponent("prng-checkpoint")
    /// The same files for the small git-large-like shape (`make_large_shape_goldens.py`).
    static let largeShapeSmallFiles = Fixtures.root.appendingPathComponent("prng-checkpoint-large-shape")
    /// The same files for git-large's real shape (`make_git_large_goldens.py`, ~1.6 GB of weights).
    static let gitLargeSmallFiles = Fixtures.root.appendingPathComponent("prng-checkpoint-git-large")
    static let smallFileNames = ["config.json", "generation_config.json", "processor_config.json",
                                 "tokenizer_config.json"]

    // MARK: Checkpoint folder

    /// Writes a complete checkpoint folder into `directory` for the configuration whose small files (`smallFileNames`)
    /// are in `smallFiles`: those files, `vocab.txt` and `model.safetensors` holding every tensor of
    /// `GitTensorNames(config:).expected` for its `config.json`, in that order (transformers' `state_dict()` order),
    /// through the library's writer.
    static func writeFolder(to directory: URL, smallFiles: URL = PRNGCheckpoint.smallFiles) throws {
        let config = try GitConfig.load(from: smallFiles.appendingPathComponent("config.json"))
        let tensors = GitTensorNames(config: config).expected.map { tensor in
            var bytes = Data(count: tensor.shape.reduce(1, *) * MemoryLayout<Float>.size)
            bytes.withUnsafeMutableBytes { raw in
                // Native Float bytes are little-endian on every platform we build for (x86_64, arm64).
                fill(raw.bindMemory(to: Float.self), name: tensor.name, shape: tensor.shape)
            }
            return TensorData(name: tensor.name, dtype: .float32, shape: tensor.shape, bytes: bytes)
        }
        try SafetensorsFile.write(tensors, to: directory.appendingPathComponent("model.safetensors"))
        let files = FileManager.default
        for name in smallFileNames {
            try files.copyItem(at: smallFiles.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try files.copyItem(at: Fixtures.vocabulary, to: directory.appendingPathComponent("vocab.txt"))
    }

    /// The folder shared by every test of this process: written on first use into a temporary directory
    /// (~707 MB, a few seconds) and removed when the process exits normally.
    private static let sharedFolder: Result<URL, any Error> = Result {
        let directory = try Fixtures.temporaryDirectory()
        do {
            try writeFolder(to: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        atexit {
            if case .success(let url) = PRNGCheckpoint.sharedFolder { try? FileManager.default.removeItem(at: url) }
        }
        return directory
    }

    /// A complete PRNG checkpoint folder (weights, configuration, processor and tokenizer files), shared.
    static func folder() throws -> URL { try sharedFolder.get() }
}
