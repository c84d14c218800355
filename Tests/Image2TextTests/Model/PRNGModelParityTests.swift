import Foundation
import Testing
@testable import Image2Text

/// The full-size (git-base-shaped) PRNG checkpoint against transformers 5.23 (`Fixtures/goldens/prng_model.json`):
/// vision tower, projection, prefill logits, every greedy step's top-1 logit and the greedy ids of 13 images and the
/// sine input, for a caption prompt and a second prompt each. Tolerances: see ``ModelGolden``.
@Suite(.serialized) struct PRNGModelParityTests {
    static let golden = Result { try ModelGolden.load("prng_model.json") }
    static let model = Result { try GITModel(directory: PRNGCheckpoint.folder()) }

    @Test("transformers parity on every golden case", arguments: 0..<14)
    func parity(caseIndex: Int) throws {
        let golden = try Self.golden.get()
        #expect(golden.cases.count == 14)
        try ModelParity.check(golden.cases[caseIndex], model: Self.model.get())
    }
}
