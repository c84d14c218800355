import Foundation
import Testing
@testable import Image2Text

/// transformers 5.23 warns about options without effect and generates anyway: so do we, one warning per option.
@Suite struct GenerationWarningTests {
    /// The warnings' options for `given` over a checkpoint's `config`, after a one-token prompt, 32 positions.
    func warned(_ given: GenerationOptions, config: GenerationOptions = GenerationOptions()) throws -> [String] {
        let resolved = given.overriding(config)
        let limits = try LengthLimits(options: resolved, promptLength: 1, maxPositions: 32)
        return GenerationWarning.warnings(given: given, resolved: resolved, limits: limits).map(\.option)
    }

    @Test("sampling options without do_sample, beam options with one beam; none at transformers' defaults or in their mode")
    func modeOptions() throws {
        #expect(try warned(GenerationOptions(temperature: 0.5, topK: 5, topP: 0.9)) == ["temperature", "top_p", "top_k"])
        #expect(try warned(GenerationOptions(lengthPenalty: 0.6, earlyStopping: .never)) == ["early_stopping", "length_penalty"])
        #expect(try warned(GenerationOptions(temperature: 1, topK: 50, topP: 1)).isEmpty)
        #expect(try warned(GenerationOptions(lengthPenalty: 1, earlyStopping: .heuristic)).isEmpty)
        #expect(try warned(GenerationOptions(doSample: true, temperature: 0.5, topK: 5, topP: 0.9)).isEmpty)
        #expect(try warned(GenerationOptions(numBeams: 2, lengthPenalty: 0.6, earlyStopping: .never)).isEmpty)
        #expect(try warned(.paper).isEmpty)
    }

    @Test("a checkpoint's value is not warned about when the call sets the mode option itself (transformers' _should_warn)")
    func checkpointValues() throws {
        let checkpoint = GenerationOptions(temperature: 0.7)
        #expect(try warned(GenerationOptions(), config: checkpoint) == ["temperature"])
        #expect(try warned(GenerationOptions(doSample: false), config: checkpoint).isEmpty)
        #expect(try warned(GenerationOptions(doSample: false, temperature: 0.7)) == ["temperature"])
        #expect(try warned(GenerationOptions(doSample: true), config: checkpoint).isEmpty)
    }

    @Test("a minimum past the maximum: min_new_tokens after the prompt, or min_length")
    func minimumPastMaximum() throws {
        // The default maximum: 20 new tokens after the 1-token prompt, 21 in all.
        #expect(try warned(GenerationOptions(minNewTokens: 20)).isEmpty)
        #expect(try warned(GenerationOptions(minNewTokens: 21)) == ["min_new_tokens"])
        #expect(try warned(GenerationOptions(minLength: 22)) == ["min_length"])
        #expect(try warned(GenerationOptions(maxNewTokens: 40, minNewTokens: 40)).isEmpty)
        #expect(try warned(GenerationOptions(maxNewTokens: 5, minNewTokens: 6)) == ["min_new_tokens"])
        let resolved = GenerationOptions(minNewTokens: 40)
        let warning = GenerationWarning.warnings(given: resolved, resolved: resolved,
                                                 limits: try LengthLimits(options: resolved, promptLength: 1, maxPositions: 32))
        #expect(warning.map(\.description) == ["min_new_tokens: 40 new tokens after the 1-token prompt make 41, more than the longest "
            + "sequence, 21 tokens (no max_new_tokens or max_length is set: the default, within the model's position table); "
            + "generation stops at the maximum: lower the minimum or raise max_new_tokens"])
    }

    @Test("GITModel.warnings: the checkpoint's config merged, the options checked as generate checks them")
    func modelWarnings() throws {
        let model = try GITModel(directory: Fixtures.tinyModel)
        #expect(try model.warnings(GenerationOptions(temperature: 2.5), promptLength: 1).map(\.description)
                    == ["temperature: 2.5 has no effect without do_sample: it is used only when sampling; set do_sample or leave out temperature"])
        #expect(throws: GenerationError.self) { try model.warnings(GenerationOptions(maxNewTokens: 0), promptLength: 1) }
    }
}
