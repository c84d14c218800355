import Foundation
import Testing
@testable import Image2Text

/// Beam search, scores, batches, sampling distributions, invalid options and label scores of the demo model against
/// transformers 5.23 (`Fixtures/goldens/tiny_generation_suite.json`; see ``GenerationSuiteGolden``).
@Suite struct TinyGenerationSuiteTests {
    static let check = GenerationSuiteCheck(
        model: TinyModelGenerationTests.model, golden: try! .load("tiny_generation_suite.json"),
        loadImage: TinyModelGenerationTests.image)

    @Test("beam search: beams 2–5 × length penalties × early stopping: ids identical, scores within 1e-4")
    func beams() throws {
        #expect(Self.check.golden.beam.count >= 50)
        try Self.check.beams()
    }

    @Test("greedy scores are transformers' transition log-probabilities") func greedyScores() throws { try Self.check.greedyScores() }

    @Test("a batch of mixed captions and questions equals one-by-one and transformers' left-padded batch")
    func batches() throws { try Self.check.batches() }

    @Test("the sampling distribution after processors and warpers equals transformers'")
    func processed() throws { try Self.check.processed() }

    @Test("options transformers rejects are typed errors") func invalidOptions() throws { try Self.check.invalidOptions() }

    @Test("label log-probabilities equal transformers' teacher-forced sums") func classification() throws { try Self.check.classification() }
}
