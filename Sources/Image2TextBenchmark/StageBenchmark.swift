import Foundation
import Image2Text

/// Timings of a checkpoint's stages on one image, with the machine's limits they are judged against: what
/// `image2text bench` prints, and what `tools/reference/bench_side_by_side` sets beside transformers' figures
/// measured the same way. Every stage runs through the library's own calls; vision and the decoder prefill are the two
/// halves of ``GITModel/encode(pixelValues:)``.
public struct StageBenchmark: Sendable {
    /// `load`, `preprocess`, `vision` (tower + projection), `decoder_prefill` (the decoder's pass over the image
    /// tokens: their keys and values in every layer), `prefill` (pixel values → first token), `decode_step` (one
    /// token with the cache: per run, a generation of 21 tokens less one of the first token alone, over 20),
    /// `caption20` (RGB image → 20-token caption), `beam4` (the same with 4 beams), `batch8` (8 images → 8 captions
    /// in one batch).
    public let figures: [String: Timing]
    /// The types the weight matrices were held in.
    public let weightTypes: Set<WeightType>
    public let limits: Limits
    public let derived: Derived

    /// The new tokens of a caption, and the decoding steps `decode_step` times per run.
    static let newTokens = 20

    /// Measures the checkpoint in `directory` on `image`, `repeats` times per figure after a warm-up run (the batch
    /// of 8 at most 3 times).
    public static func run(directory: URL, weightType: WeightType? = nil, image: RGBImage, repeats: Int) throws -> StageBenchmark {
        var figures = [String: Timing]()
        func sample(_ name: String, runs: Int = repeats, _ measure: () throws -> Double) rethrows {
            _ = try measure()
            figures[name] = Timing(try (0..<runs).map { _ in try measure() })
        }
        func time(_ name: String, runs: Int = repeats, _ body: () throws -> Void) rethrows {
            try sample(name, runs: runs) { try seconds(body) }
        }
        try time("load") { _ = try GITModel(directory: directory, weightType: weightType) }
        let model = try GITModel(directory: directory, weightType: weightType)
        let prompt = try model.prompt(question: nil)
        try time("preprocess") { _ = try model.imageProcessor.preprocess(image) }
        let pixels = try model.imageProcessor.preprocess(image)
        try time("vision") { _ = try model.imageTokens(pixels) }
        let imageTokens = try model.imageTokens(pixels)
        time("decoder_prefill") { _ = model.encode(imageTokens: imageTokens) }
        let firstToken = GenerationOptions(maxNewTokens: 1)
        try time("prefill") { _ = try model.generate(promptIds: prompt, image: model.encode(pixelValues: pixels), options: firstToken) }
        let context = try model.encode(pixelValues: pixels)
        let stepped = GenerationOptions(maxNewTokens: 1 + newTokens, minNewTokens: 1 + newTokens)
        try sample("decode_step") {
            let withSteps = try seconds { _ = try model.generate(promptIds: prompt, image: context, options: stepped) }
            let firstOnly = try seconds { _ = try model.generate(promptIds: prompt, image: context, options: firstToken) }
            return (withSteps - firstOnly) / Double(newTokens)
        }

        let caption = GenerationOptions(maxNewTokens: newTokens, minNewTokens: newTokens)
        try time("caption20") { _ = try model.caption(image, options: caption) }
        var beams = caption
        beams.numBeams = 4
        try time("beam4") { _ = try model.caption(image, options: beams) }
        try time("batch8", runs: min(repeats, 3)) {
            let requests = try (0..<8).map { _ in try model.request(image: model.encode(image)) }
            _ = try model.generate(requests, options: caption)
        }

        let configuration = model.configuration
        let limits = Limits.measure(lmHeadInFeatures: configuration.hiddenSize, lmHeadOutFeatures: configuration.vocabSize)
        let derived = Derived(
            limits: limits,
            vision: (flops: configuration.visionFLOPs, seconds: figures["vision"]!.median),
            decoderPrefill: (flops: configuration.decoderPrefillFLOPs(imageTokens: context.tokenCount),
                             seconds: figures["decoder_prefill"]!.median),
            decodeStep: (weightBytes: model.decodingStepWeightBytes, seconds: figures["decode_step"]!.median))
        return StageBenchmark(figures: figures, weightTypes: model.weightTypes, limits: limits, derived: derived)
    }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
