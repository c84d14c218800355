import Foundation
import Testing
@testable import Image2Text

/// The small git-large-like PRNG checkpoint (`tools/reference/make_large_shape_goldens.py`: vision width 96, text
/// width 64, 17 image tokens, the real BERT vocabulary): the Swift generator, driven only by the committed
/// `config.json` and the library's tensor names, writes exactly the tensors transformers 5.23 saved.
@Suite("Large-shape PRNG checkpoint")
struct LargeShapeCheckpointTests {
    /// The part of `Fixtures/goldens/prng_large_shape_model.json` these tests read.
    struct Golden: Decodable {
        struct Tensor: Decodable {
            var name: String
            var dtype: String
            var shape: [Int]
            var role: String
            var sha256: String
        }

        var tensorCount: Int
        var parameterCount: Int
        var tensors: [Tensor]

        enum CodingKeys: String, CodingKey {
            case tensorCount = "tensor_count"
            case parameterCount = "parameter_count"
            case tensors
        }

        static func load() throws -> Golden {
            try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("prng_large_shape_model.json")))
        }
    }

    @Test("config.json has git-large's structure: vision width differs from text width")
    func configuration() throws {
        let config = try GitConfig.load(
            from: PRNGCheckpoint.largeShapeSmallFiles.appendingPathComponent("config.json"))
        let vision = config.visionConfig
        #expect(vision.hiddenSize == 96 && vision.numAttentionHeads == 3 && vision.headDimension == 32)
        #expect(vision.intermediateSize == 200 && vision.numHiddenLayers == 2)
        #expect(vision.imageSize == 56 && vision.patchSize == 14 && vision.tokensPerImage == 17)
        #expect(config.hiddenSize == 64 && config.numAttentionHeads == 4 && config.headDimension == 16)
        #expect(config.intermediateSize == 160 && config.numHiddenLayers == 2)
        #expect(config.vocabSize == 30522 && config.maxPositionEmbeddings == 40)
        #expect(config.bosTokenId == 101 && config.eosTokenIds == [102] && config.padTokenId == 0)
    }

    @Test("the library's tensor names, shapes and order are transformers' state_dict() for this configuration")
    func namesMatchTransformers() throws {
        let golden = try Golden.load()
        let config = try GitConfig.load(
            from: PRNGCheckpoint.largeShapeSmallFiles.appendingPathComponent("config.json"))
        let expected = GitTensorNames(config: config).expected
        #expect(golden.tensors.count == golden.tensorCount && golden.tensorCount == 81)
        #expect(golden.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) } == golden.parameterCount)
        #expect(expected.map(\.name) == golden.tensors.map(\.name))
        #expect(expected.map(\.shape) == golden.tensors.map(\.shape))
        for tensor in golden.tensors {
            #expect(tensor.dtype == "F32")
            #expect(PRNGCheckpoint.role(for: tensor.name, shape: tensor.shape).name == tensor.role, "role of \(tensor.name)")
        }
    }

    @Test("a written folder loads back and every tensor's sha256 equals Python's")
    func folderMatchesPython() throws {
        let golden = try Golden.load()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try PRNGCheckpoint.writeFolder(to: directory, smallFiles: PRNGCheckpoint.largeShapeSmallFiles)
        for name in PRNGCheckpoint.smallFileNames + ["vocab.txt", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }

        let checkpoint = try CheckpointFolder(directory: directory)
        #expect(golden.tensors.count == golden.tensorCount)
        PRNGCheckpoint.expectWeights(checkpoint.weights, equal: golden.tensors.map { ($0.name, $0.shape, $0.sha256) })
    }
}
