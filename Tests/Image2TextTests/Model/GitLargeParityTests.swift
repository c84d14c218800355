import Foundation
import Testing
@testable import Image2Text

/// git-large's real shape (`tools/reference/make_git_large_goldens.py`: ViT-L/14 vision tower, 1024 wide, 24 layers,
/// 257 image tokens; git-base's text decoder), as a PRNG checkpoint rebuilt here from the committed `config.json` and
/// the library's tensor names: its tensors equal Python's, and the model matches transformers 5.23 on it
/// (`Fixtures/goldens/prng_git_large_model.json`; tolerances in ``ModelGolden``).
@Suite("git-large PRNG checkpoint")
struct GitLargeParityTests {
    static let goldenName = "prng_git_large_model.json"

    @Test("config.json is git-large's: ViT-L/14 at 224 px and git-base's text decoder")
    func configuration() throws {
        let config = try GitConfig.load(from: PRNGCheckpoint.gitLargeSmallFiles.appendingPathComponent("config.json"))
        let vision = config.visionConfig
        #expect(vision.hiddenSize == 1024 && vision.intermediateSize == 4096 && vision.numHiddenLayers == 24)
        #expect(vision.numAttentionHeads == 16 && vision.patchSize == 14 && vision.imageSize == 224)
        #expect(vision.tokensPerImage == 257 && vision.hiddenAct == "quick_gelu")
        #expect(config.hiddenSize == 768 && config.numHiddenLayers == 6 && config.numAttentionHeads == 12)
        #expect(config.vocabSize == 30522 && config.maxPositionEmbeddings == 1024)
    }

    @Test("the rebuilt checkpoint's tensors are Python's; vision tower, projection, logits and greedy ids match transformers")
    func parity() throws {
        let tensors = try JSONDecoder().decode(
            LargeShapeCheckpointTests.Golden.self, from: Data(contentsOf: Fixtures.golden(Self.goldenName)))
        let golden = try ModelGolden.load(Self.goldenName)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try PRNGCheckpoint.writeFolder(to: directory, smallFiles: PRNGCheckpoint.gitLargeSmallFiles)

        let checkpoint = try CheckpointFolder(directory: directory)
        #expect(tensors.tensors.count == tensors.tensorCount && tensors.tensorCount == 497)
        #expect(tensors.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) } == tensors.parameterCount)
        // Hashing all 1.6 GB takes ~16 s here; vision layers 1–22 repeat layers 0 and 23 under other names (seeds).
        let repeatedLayers = (1...22).map { "git.image_encoder.vision_model.encoder.layers.\($0)." }
        PRNGCheckpoint.expectWeights(checkpoint.weights, equal: tensors.tensors.map { ($0.name, $0.shape, $0.sha256) },
                                     hashing: { name in !repeatedLayers.contains(where: name.hasPrefix) })

        let model = try GITModel(directory: directory)
        #expect(golden.cases.count == 2)
        for item in golden.cases { try ModelParity.check(item, model: model) }
    }
}
