import Foundation
import Testing
@testable import Image2Text

/// Cached decoding (image key/value block computed once, text cache grown one token per step) equals transformers'
/// uncached computation: the whole sequence [image tokens, text tokens] in one pass with the explicit mask.
@Suite struct KVCacheTests {
    /// Largest |cached − uncached| over the generated steps, relative to max(1, max |row|), and whether every step's
    /// arg-max matches the token greedy search chose.
    static func compare(model: GITModel, pixels: PixelValues, prompt: [Int], maxNewTokens: Int) throws -> (worst: Float, tokensAgree: Bool) {
        let context = try model.encode(pixelValues: pixels)
        let result = try model.generate(promptIds: prompt, image: context, options: GenerationOptions(maxNewTokens: maxNewTokens))
        let steps = TeacherForcing.steps(model: model, image: context, sequence: result.ids, promptLength: prompt.count)
        let uncached = try model.forwardWithoutCache(pixelValues: pixels, inputIds: Array(result.ids.dropLast()))
        var worst: Float = 0
        var tokensAgree = true
        for (step, cached) in steps.enumerated() {
            let row = uncached.logits.row(context.tokenCount + prompt.count - 1 + step)
            let scale = max(1, row.map(abs).max()!)
            worst = max(worst, zip(cached.logits, row).map { abs($0 - $1) }.max()! / scale)
            tokensAgree = tokensAgree && TokenSearch.argmax(row) == result.ids[prompt.count + step]
        }
        #expect(uncached.logits.rows == context.tokenCount + result.ids.count - 1)
        return (worst, tokensAgree)
    }

    @Test("demo model: every step of captions and answers equals the uncached pass")
    func demoModel() throws {
        let model = TinyModelGenerationTests.model
        for name in ["0.png", "5.png", "10.png", "15.png"] {
            let pixels = try model.imageProcessor.preprocess(TinyModelGenerationTests.image(name))
            for prompt in [[2], try model.questionPrompt("what shape is in the image?"), try model.questionPrompt("is there a blue shape?")] {
                let (worst, tokensAgree) = try Self.compare(model: model, pixels: pixels, prompt: prompt, maxNewTokens: 10)
                #expect(tokensAgree, "\(name) \(prompt)")
                #expect(worst <= 1e-5, "\(name) \(prompt): max relative |Δ| \(worst)")
            }
        }
    }

    @Test("full-size PRNG checkpoint: 20 cached steps equal the uncached pass within 1e-5 relative")
    func prngModel() throws {
        let model = try PRNGModelParityTests.model.get()
        let pixels = try model.imageProcessor.preprocess(ImageDecoder.decode(contentsOf: Fixtures.image("chelsea.png")))
        let (worst, tokensAgree) = try Self.compare(model: model, pixels: pixels, prompt: [101, 2054, 2003, 2023], maxNewTokens: 20)
        #expect(tokensAgree)
        #expect(worst <= 1e-5, "max relative |Δ| \(worst)")
    }

    @Test("the image block depends on the image only: encoding twice gives identical keys and values")
    func imageContextIsDeterministic() throws {
        let model = TinyModelGenerationTests.model
        let image = try TinyModelGenerationTests.image("20.png")
        let (first, second) = (try model.encode(image), try model.encode(image))
        #expect(first.keys == second.keys && first.values == second.values)
        #expect(first.tokenCount == model.configuration.visionConfig.tokensPerImage)
    }
}
