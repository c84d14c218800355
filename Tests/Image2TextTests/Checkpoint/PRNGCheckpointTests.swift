import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// The Swift PRNG checkpoint generator reproduces Python's (`tools/reference/make_prng_checkpoint.py`) bit for bit.
@Suite("PRNG checkpoint")
struct PRNGCheckpointTests {
    @Test("FNV-1a 64 and SplitMix64 match the published reference values")
    func primitives() {
        // FNV-1a 64 test vectors (empty string = offset basis; "a" from the FNV reference).
        #expect(PRNGCheckpoint.seed(for: "") == 0xcbf2_9ce4_8422_2325)
        #expect(PRNGCheckpoint.seed(for: "a") == 0xaf63_dc4c_8601_ec8c)
        // SplitMix64 reference outputs for seed 1234567 (Vigna's splitmix64.c).
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { PRNGCheckpoint.splitMix64(seed: 1_234_567, index: $0) } == expected)
        // Fan-in rule: 3·4^k ≥ fan_in.
        #expect(PRNGCheckpoint.role(for: "x.weight", shape: [768, 768]).scale == 0x1p-4)
        #expect(PRNGCheckpoint.role(for: "x.weight", shape: [768, 3072]).scale == 0x1p-5)
        #expect(PRNGCheckpoint.role(for: "x.weight", shape: [768, 3, 16, 16]).scale == 0x1p-4)
        #expect(PRNGCheckpoint.role(for: "git.img_temperal_embedding.0", shape: [1, 1, 768]).name == "embedding")
    }

    @Test("every tensor's seed, role and sha256 equal Python's")
    func everyTensorMatchesPython() throws {
        let manifest = try PRNGCheckpoint.manifest()
        #expect(manifest.tensors.count == manifest.tensorCount)
        #expect(manifest.tensorCount == 305)
        #expect(manifest.parameterCount == 176_619_066)
        #expect(manifest.tensors.reduce(0) { $0 + $1.count } == manifest.parameterCount)

        var generation = 0.0, hashing = 0.0
        var mismatches: [String] = []
        for tensor in manifest.tensors {
            #expect(tensor.dtype == "F32")
            #expect(String(PRNGCheckpoint.seed(for: tensor.name), radix: 16).leftPadded(to: 16) == tensor.seed,
                    "seed of \(tensor.name)")
            let role = PRNGCheckpoint.role(for: tensor.name, shape: tensor.shape)
            #expect(role.name == tensor.role && role.scale == tensor.scale && role.offset == tensor.offset,
                    "role of \(tensor.name)")
            var clock = Date()
            let values = PRNGCheckpoint.values(name: tensor.name, shape: tensor.shape)
            generation += Date().timeIntervalSince(clock)
            #expect(values.prefix(tensor.first.count).map(Double.init) == tensor.first,
                    "first values of \(tensor.name)")
            clock = Date()
            let digest = values.withUnsafeBytes { SHA256.hexDigest($0) }
            hashing += Date().timeIntervalSince(clock)
            if digest != tensor.sha256 { mismatches.append(tensor.name) }
        }
        #expect(mismatches.isEmpty, "sha256 differs for \(mismatches.count) tensors: \(mismatches.prefix(10))")
        print("PRNG checkpoint: \(manifest.tensors.count) tensors, generated in "
              + String(format: "%.2f s, hashed in %.2f s", generation, hashing))
    }

    @Test("a written checkpoint folder loads back with every tensor's bytes unchanged")
    func folderLoadsBackUnchanged() throws {
        let manifest = try PRNGCheckpoint.manifest()
        let start = Date()
        let directory = try PRNGCheckpoint.folder()
        let written = Date()
        for name in PRNGCheckpoint.smallFileNames + ["vocab.txt", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
        let checkpoint = try CheckpointFolder(directory: directory)
        #expect(manifest.tensors.count == manifest.tensorCount)
        PRNGCheckpoint.expectWeights(checkpoint.weights, equal: manifest.tensors.map { ($0.name, $0.shape, $0.sha256) })
        print("PRNG checkpoint folder: written in " + String(format: "%.2f s", written.timeIntervalSince(start))
              + ", loaded and hashed in " + String(format: "%.2f s", Date().timeIntervalSince(written)))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
