import Foundation
import Testing
@testable import Image2Text

/// Reduced-precision weights (`GITModel(directory:weightType:)`, `--dtype`) against the float32 goldens, at the
/// tolerances Fixtures/GOLDENS.md states (measured on this project's machine, then rounded up; docs/precision.md).
/// Each test prints what it measured.
@Suite(.serialized) struct WeightTypeAccuracyTests {
    struct Tolerance {
        /// Largest |ours − transformers| over the checked logits and hidden values, over max(1, max |reference row|).
        let relativeError: Float
        /// Smallest fraction of the full-size golden's greedy steps (teacher-forced) whose argmax is transformers'.
        let stepAgreement: Double
        /// Smallest fraction of the demo model's golden cases generated with exactly transformers' ids.
        let tinyIdAgreement: Double
        /// Largest drop of the demo model's caption or VQA accuracy below the float32 golden's.
        let tinyAccuracyDrop: Double
    }

    // Measured (2026-11-23): f16 4.1e-4 and 120/120 steps, bf16 3.7e-3 and 120/120, int8 1.4e-2 and 114/120; the demo
    // model gave transformers' ids in 480 of 480 cases and the float32 accuracies with every type.
    static let tolerances: [WeightType: Tolerance] = [
        .float16: Tolerance(relativeError: 1e-3, stepAgreement: 1, tinyIdAgreement: 0.99, tinyAccuracyDrop: 0.01),
        .bfloat16: Tolerance(relativeError: 1e-2, stepAgreement: 0.95, tinyIdAgreement: 0.99, tinyAccuracyDrop: 0.01),
        .int8: Tolerance(relativeError: 3e-2, stepAgreement: 0.9, tinyIdAgreement: 0.99, tinyAccuracyDrop: 0.01),
    ]

    @Test("the demo model's golden captions and answers", arguments: [WeightType.float16, .bfloat16, .int8])
    func tinyModel(type: WeightType) throws {
        let tolerance = try #require(Self.tolerances[type])
        let model = try GITModel(directory: Fixtures.tinyModel, weightType: type)
        #expect(model.weightTypes == [type])
        let golden = TinyModelGenerationTests.golden
        let options = GenerationOptions(maxNewTokens: golden.generate.max_new_tokens)
        var contexts: [String: ImageContext] = [:]
        var report = "\(type.rawValue):"
        var agreeing = 0, total = 0
        for (cases, key) in [(golden.captions, "caption_exact"), (golden.questions, "vqa")] {
            var correct = 0
            for item in cases {
                let context = try contexts[item.image] ?? model.encode(TinyModelGenerationTests.image(item.image))
                contexts[item.image] = context
                let result = try item.question.map { try model.answer($0, about: context, options: options) }
                    ?? model.caption(context, options: options)
                if result.ids == item.generated_ids { agreeing += 1 }
                if result.generatedText == item.expected { correct += 1 }
                total += 1
            }
            let accuracy = Double(correct) / Double(cases.count), reference = try #require(golden.accuracy.golden[key])
            report += " \(key) \(accuracy) (f32 \(reference))"
            #expect(accuracy >= reference - tolerance.tinyAccuracyDrop, "\(type) \(key) accuracy \(accuracy) vs \(reference)")
        }
        let agreement = Double(agreeing) / Double(total)
        print("demo model, \(report), ids as transformers in \(agreeing)/\(total)")
        #expect(agreement >= tolerance.tinyIdAgreement, "\(type): \(agreeing)/\(total) cases with transformers' ids")
    }

    @Test("full-size golden logits and greedy steps", arguments: [WeightType.float16, .bfloat16, .int8])
    func fullSize(type: WeightType) throws {
        let tolerance = try #require(Self.tolerances[type])
        let golden = try PRNGModelParityTests.golden.get()
        let model = try GITModel(directory: PRNGCheckpoint.folder(), weightType: type)
        var worst: Float = 0, agreeing = 0, steps = 0
        func note(_ ours: some Collection<Float>, _ reference: [Float], magnitude: Float) {
            let error = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
            worst = max(worst, error / max(1, magnitude))
        }
        for golden in golden.cases.prefix(3) {
            let imageTokens = model.decoder.project(try model.visionFeatures(golden.pixelValues(for: model)))
            for (row, values) in golden.visual_projection.rows {
                note(imageTokens.row(Int(row)!).prefix(values.count), values, magnitude: golden.visual_projection.row_max_abs[Int(row)!])
            }
            let context = model.decoder.encode(imageTokens: imageTokens)
            for prompt in golden.prompts.values {
                let forced = TeacherForcing.steps(model: model, image: context, sequence: prompt.greedy.sequence,
                                                  promptLength: prompt.input_ids.count)
                let prefill = prompt.prefill_logits_last_row
                note(forced[0].logits.prefix(16), prefill.first16, magnitude: prefill.max_abs)
                note(prefill.top5_ids.map { forced[0].logits[$0] }, prefill.top5_values, magnitude: prefill.max_abs)
                let sequence = prompt.greedy.sequence.dropFirst(prompt.input_ids.count)
                for (step, expected) in zip(forced, sequence) {
                    if TokenSearch.argmax(step.logits) == expected { agreeing += 1 }
                    steps += 1
                }
            }
        }
        let agreement = Double(agreeing) / Double(steps)
        print("full size, \(type.rawValue): max relative error \(worst), argmax as transformers at \(agreeing)/\(steps) steps")
        #expect(worst <= tolerance.relativeError, "\(type): relative error \(worst)")
        #expect(agreement >= tolerance.stepAgreement, "\(type): \(agreeing)/\(steps) steps")
    }
}
