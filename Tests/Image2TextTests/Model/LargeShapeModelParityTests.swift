import Foundation
import Testing
@testable import Image2Text

/// The model runs the git-large-like configuration unchanged and matches transformers 5.23 on it
/// (`Fixtures/goldens/prng_large_shape_model.json`; tolerances in ``ModelGolden``).
@Suite struct LargeShapeModelParityTests {
    @Test("vision tower, projection, prefill logits, every greedy step and the greedy ids match transformers")
    func parity() throws {
        let golden = try ModelGolden.load("prng_large_shape_model.json")
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try PRNGCheckpoint.writeFolder(to: directory, smallFiles: PRNGCheckpoint.largeShapeSmallFiles)
        let model = try GITModel(directory: directory)
        #expect(model.configuration.visionConfig.hiddenSize != model.configuration.hiddenSize)
        #expect(golden.cases.count == 5)
        for item in golden.cases { try ModelParity.check(item, model: model) }
    }
}
