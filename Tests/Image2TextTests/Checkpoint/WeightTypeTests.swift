import Foundation
import Testing
@testable import Image2Text

/// Reduced-precision weights (`GITModel(directory:weightType:)`, `--dtype`) against the float32 goldens, at the
/// tolerances the README's precision table states (measured on this project's machine, then rounded up). Each test
/// prints what it measured.
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

/// `image2text convert` / ``CheckpointConversion``: the written folder loads memory-mapped in the new type and
/// computes exactly what converting at load computes; bad outputs and broken int8 files give typed errors.
@Suite struct CheckpointConversionTests {
    @Test("a converted folder equals converting at load", arguments: WeightType.allCases)
    func roundTrip(type: WeightType) throws {
        let output = try Fixtures.temporaryDirectory().appendingPathComponent("converted")
        defer { try? FileManager.default.removeItem(at: output.deletingLastPathComponent()) }
        try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: type, output: output)
        let converted = try GITModel(directory: output)
        let atLoad = try GITModel(directory: Fixtures.tinyModel, weightType: type)
        #expect(converted.weightTypes == [type])
        let sourceFiles = try FileManager.default.contentsOfDirectory(atPath: Fixtures.tinyModel.path).filter { !$0.hasSuffix(".safetensors") }
        for name in sourceFiles {
            #expect(FileManager.default.contentsEqual(atPath: Fixtures.tinyModel.appendingPathComponent(name).path,
                                                      andPath: output.appendingPathComponent(name).path), "\(name) copied")
        }
        let file = try SafetensorsFile(contentsOf: output.appendingPathComponent("model.safetensors"))
        #expect(file.metadata["image2text_weight_type"] == type.rawValue)
        let expectedOther: TensorDType = type == .float16 ? .float16 : type == .bfloat16 ? .bfloat16 : .float32
        #expect(file["git.embeddings.LayerNorm.weight"]?.dtype == expectedOther)
        #expect(file["output.weight"]?.dtype == TensorDType(type))
        #expect((file["output.weight_scale"] != nil) == (type == .int8))

        let image = try TinyModelGenerationTests.image("0.png")
        let pixels = try atLoad.imageProcessor.preprocess(image)
        let reference = try atLoad.forwardWithoutCache(pixelValues: pixels, inputIds: [2, 13, 27])
        let ours = try converted.forwardWithoutCache(pixelValues: pixels, inputIds: [2, 13, 27])
        // Matrices are bit-identical; the small tensors of an f16/bf16 folder are rounded, so allow their effect.
        let limit: Float = type == .float16 ? 1e-2 : type == .bfloat16 ? 1e-1 : 0
        let difference = zip(ours.logits.values, reference.logits.values).map { abs($0 - $1) }.max()!
        #expect(difference <= limit, "\(type): logits differ by \(difference)")
    }

    @Test("the output must be a new or empty folder, not the source")
    func refusedOutputs() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("x".utf8).write(to: directory.appendingPathComponent("note.txt"))
        #expect(throws: CheckpointError.unwritableOutput(directory, reason: "the folder exists and is not empty")) {
            try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: .int8, output: directory)
        }
        #expect(throws: CheckpointError.unwritableOutput(Fixtures.tinyModel, reason: "it is the folder being converted")) {
            try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: .int8, output: Fixtures.tinyModel)
        }
    }

    @Test("an int8 matrix needs its F32 per-row scales")
    func int8Scales() throws {
        let int8 = try Fixtures.temporaryDirectory().appendingPathComponent("int8")
        defer { try? FileManager.default.removeItem(at: int8.deletingLastPathComponent()) }
        try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: .int8, output: int8)
        let weights = int8.appendingPathComponent("model.safetensors")
        let file = try SafetensorsFile(contentsOf: weights)
        let tensors = file.tensors.map { TensorData(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Data(file.bytes(of: $0))) }
        let scale = try #require(file["output.weight_scale"])

        try SafetensorsFile.write(tensors.filter { $0.name != scale.name }, to: weights)
        #expect(throws: CheckpointError.missingTensors(weights, names: ["output.weight_scale"])) { try GITModel(directory: int8) }

        let halfScales = TensorData(name: scale.name, dtype: .float16, shape: scale.shape, bytes: Data(count: scale.elementCount * 2))
        try SafetensorsFile.write(tensors.map { $0.name == scale.name ? halfScales : $0 }, to: weights)
        #expect(throws: CheckpointError.wrongDType(weights, tensor: scale.name, expected: "F32", actual: "F16")) { try GITModel(directory: int8) }

        let bias = try #require(file["output.bias"])
        let int8Bias = TensorData(name: bias.name, dtype: .int8, shape: bias.shape, bytes: Data(count: bias.elementCount))
        try SafetensorsFile.write(tensors.map { $0.name == bias.name ? int8Bias : $0 }, to: weights)
        #expect(throws: CheckpointError.wrongDType(weights, tensor: bias.name, expected: "F32, F16 or BF16", actual: "I8")) {
            try GITModel(directory: int8)
        }
    }
}
