import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2Text

/// A golden of transformers 5.23 running a PRNG checkpoint (`prng_model.json` from
/// `tools/reference/make_prng_goldens.py`; `prng_large_shape_model.json` from `make_large_shape_goldens.py`), and the
/// comparisons its `tolerance` section states:
/// - floats: |ours − ref| ≤ 1e-4 · max(1, max |ref row|);
/// - ids: exact at every greedy step whose reference top-2 margin is ≥ 1e-3 (after the first step below it, later
///   ids may differ).
struct ModelGolden: Decodable, Sendable {
    struct Activations: Decodable, Sendable {
        let shape: [Int]
        let rows: [String: [Float]]
        let row_max_abs: [Float]
        let mean: Double
    }

    struct LogitRow: Decodable, Sendable {
        let first16: [Float]
        let argmax: Int
        let top5_ids: [Int]
        let top5_values: [Float]
        let max_abs: Float
        let mean: Double
    }

    struct HiddenRow: Decodable, Sendable {
        let first8: [Float]
        let max_abs: Float
    }

    struct Greedy: Decodable, Sendable {
        let max_new_tokens: Int
        let sequence: [Int]
        let step_margins: [Float]
        let step_top1_logit: [Float]
    }

    struct Prompt: Decodable, Sendable {
        let input_ids: [Int]
        let prefill_logits_last_row: LogitRow
        let decoder_last_layer_hidden_last_row: HiddenRow
        let greedy: Greedy
    }

    struct Case: Decodable, Sendable {
        let input: String
        let image: String?
        let pixel_values_sha256: String
        let pixel_values_shape: [Int]
        let vision_last_hidden_state: Activations
        let visual_projection: Activations
        let prompts: [String: Prompt]
    }

    let cases: [Case]

    static func load(_ name: String) throws -> ModelGolden {
        try JSONDecoder().decode(ModelGolden.self, from: Data(contentsOf: Fixtures.golden(name)))
    }

    /// The golden's float tolerance for values of magnitude up to `magnitude`.
    static func tolerance(_ magnitude: Float) -> Float { 1e-4 * max(1, magnitude) }

    /// The reference step margin below which greedy ids may legitimately differ.
    static let idMarginThreshold: Float = 1e-3
}

extension ModelGolden.Case {
    /// The case's pixel values: the image preprocessed by `model`'s processor, or the sine pattern
    /// `float32(sin(0.01 · flat index))` computed in float64 (no image decoding).
    func pixelValues(for model: GITModel) throws -> PixelValues {
        try pixelValues(processor: model.imageProcessor)
    }

    /// The case's pixel values with `processor` for its image.
    func pixelValues(processor: CLIPImageProcessor) throws -> PixelValues {
        if let image {
            return try processor.preprocess(ImageDecoder.decode(contentsOf: Repository.root.appendingPathComponent(image)))
        }
        let shape = Array(pixel_values_shape.dropFirst())
        let values = (0..<shape.reduce(1, *)).map { Float(sin(0.01 * Double($0))) }
        return PixelValues(shape: shape, values: values)
    }
}

/// Compares one case of a ``ModelGolden`` with the model, recording every difference as a test issue.
enum ModelParity {
    /// `processor` (default: the model's) makes the pixel values of an image case.
    static func check(_ golden: ModelGolden.Case, model: GITModel, processor: CLIPImageProcessor? = nil) throws {
        let label = golden.image ?? golden.input
        let pixels = try golden.pixelValues(processor: processor ?? model.imageProcessor)
        #expect(pixels.sha256 == golden.pixel_values_sha256, "\(label): pixel values")

        let features = try model.visionFeatures(pixels)
        compare(features, golden.vision_last_hidden_state, "\(label): vision tower")
        let imageTokens = model.decoder.project(features)
        compare(imageTokens, golden.visual_projection, "\(label): visual projection")
        try checkPrompts(golden.prompts, image: model.decoder.encode(imageTokens: imageTokens), model: model, label: label)
    }

    /// Prefill logits, every step's top-1 logit (teacher-forced) and greedy ids for each prompt about `context`.
    static func checkPrompts(_ prompts: [String: ModelGolden.Prompt], image context: ImageContext, model: GITModel, label: String) throws {
        for (name, prompt) in prompts.sorted(by: { $0.key < $1.key }) {
            let where_ = "\(label) \(name)"
            // Teacher-forced pass over the reference sequence: prefill, then one token per step from the cache.
            let sequence = prompt.greedy.sequence
            let promptLength = prompt.input_ids.count
            let steps = TeacherForcing.steps(model: model, image: context, sequence: sequence, promptLength: promptLength)
            compare(steps[0].hidden.prefix(8), prompt.decoder_last_layer_hidden_last_row.first8,
                    tolerance: ModelGolden.tolerance(prompt.decoder_last_layer_hidden_last_row.max_abs), "\(where_): last hidden row")
            compare(steps[0].logits, prompt.prefill_logits_last_row, where_)
            for (step, reference) in prompt.greedy.step_top1_logit.enumerated() {
                let top = steps[step].logits.max()!
                #expect(abs(top - reference) <= ModelGolden.tolerance(abs(reference)), "\(where_): step \(step) top-1 logit \(top) vs \(reference)")
            }

            // Greedy generation through the public API: ids exact up to the first fragile step.
            let result = try model.generate(promptIds: prompt.input_ids, image: context,
                                            options: GenerationOptions(maxNewTokens: prompt.greedy.max_new_tokens))
            let firstFragile = prompt.greedy.step_margins.firstIndex { $0 < ModelGolden.idMarginThreshold }
            let checked = promptLength + (firstFragile.map { $0 + 1 } ?? prompt.greedy.step_margins.count)
            #expect(Array(result.ids.prefix(checked)) == Array(sequence.prefix(checked)), "\(where_): greedy ids")
        }
    }

    static func compare(_ ours: Matrix, _ golden: ModelGolden.Activations, _ label: String) {
        #expect([1, ours.rows, ours.columns] == golden.shape, "\(label): shape")
        for (row, values) in golden.rows {
            let index = Int(row)!
            compare(ours.row(index).prefix(values.count), values, tolerance: ModelGolden.tolerance(golden.row_max_abs[index]), "\(label) row \(row)")
        }
        let mean = ours.values.reduce(0.0) { $0 + Double($1) } / Double(ours.values.count)
        #expect(abs(mean - golden.mean) <= Double(ModelGolden.tolerance(golden.row_max_abs.max()!)), "\(label): mean")
    }

    static func compare(_ logits: [Float], _ golden: ModelGolden.LogitRow, _ label: String) {
        let tolerance = ModelGolden.tolerance(golden.max_abs)
        compare(logits.prefix(16), golden.first16, tolerance: tolerance, "\(label): prefill logits")
        let ranked = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        for k in 0..<5 {
            let gap = k < 4 ? golden.top5_values[k] - golden.top5_values[k + 1] : .infinity
            let previousGap = k > 0 ? golden.top5_values[k - 1] - golden.top5_values[k] : .infinity
            if min(gap, previousGap) >= ModelGolden.idMarginThreshold {
                #expect(ranked[k] == golden.top5_ids[k], "\(label): top-\(k + 1) id")
            }
            #expect(abs(logits[golden.top5_ids[k]] - golden.top5_values[k]) <= tolerance, "\(label): logit of top-\(k + 1) id")
        }
        #expect(ranked[0] == golden.argmax || golden.top5_values[0] - golden.top5_values[1] < ModelGolden.idMarginThreshold)
        let mean = logits.reduce(0.0) { $0 + Double($1) } / Double(logits.count)
        #expect(abs(mean - golden.mean) <= Double(tolerance), "\(label): logits mean")
    }

    static func compare<S: Collection<Float>>(_ ours: S, _ reference: [Float], tolerance: Float, _ label: String) {
        #expect(ours.count == reference.count, "\(label): count")
        let worst = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance, "\(label): max |Δ| \(worst) > \(tolerance)")
    }
}

/// Feeds a known sequence through the cached decoder: the prompt at once, then one token per step.
enum TeacherForcing {
    /// The last hidden row and next-token logits after the prompt and after each later token of `sequence` but the
    /// last: `sequence.count - promptLength` steps.
    static func steps(model: GITModel, image: ImageContext, sequence: [Int], promptLength: Int) -> [(hidden: [Float], logits: [Float])] {
        var caches = [TextCache(layers: model.decoder.layers.count, width: model.decoder.hiddenSize, capacity: sequence.count)]
        func step(_ tokens: [Int]) -> (hidden: [Float], logits: [Float]) {
            let output = model.decoder.logits(tokens: [tokens], images: [image], caches: &caches)
            return (output.hidden.row(0), output.logits.row(0))
        }
        var steps = [step(Array(sequence.prefix(promptLength)))]
        for token in sequence.dropFirst(promptLength).dropLast() { steps.append(step([token])) }
        return steps
    }
}
