import Foundation
import Testing
@testable import Image2Text

/// The same checks on the full-size PRNG checkpoint (`Fixtures/goldens/prng_generation_suite.json`; its vocabulary of
/// 30522 and 197 image tokens are git-base's; it never produces [SEP], so beams run to the length limit).
@Suite(.serialized) struct PRNGGenerationSuiteTests {
    static let check = Result {
        GenerationSuiteCheck(model: try PRNGModelParityTests.model.get(), golden: try .load("prng_generation_suite.json"),
                             loadImage: { try ImageDecoder.decode(contentsOf: Fixtures.image($0)) })
    }

    @Test("beam search, greedy scores, batches, processed distributions, invalid options and label scores")
    func suite() throws {
        let check = try Self.check.get()
        #expect(check.golden.beam.count >= 8)
        try check.beams()
        try check.greedyScores()
        try check.batches()
        try check.processed()
        try check.invalidOptions()
        try check.classification()
    }

    @Test("the paper's decoding equals the original repository's")
    func paperBeam() throws {
        let check = try Self.check.get()
        try PaperBeamGolden.check("prng", model: check.model, context: check.context)
    }
}
