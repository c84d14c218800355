import Foundation
import Image2TextKernels

/// Timings of a checkpoint's stages on one image, with the machine's limits they are judged against: what
/// `image2text bench` prints, and what `tools/reference/bench_side_by_side` sets beside transformers' figures
/// measured the same way.
public struct StageBenchmark: Sendable, Encodable {
    /// Seconds over repeated runs after a warm-up run.
    public struct Timing: Sendable, Encodable {
        public let median: Double
        public let min: Double
        public let max: Double
        public let runs: Int

        init(_ seconds: [Double]) {
            let sorted = seconds.sorted()
            median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            (min, max, runs) = (sorted.first!, sorted.last!, sorted.count)
        }
    }

    public struct Limits: Sendable, Encodable {
        /// The BLAS library and the kernels it runs (``BLAS/kernelSet``): the sgemm rates depend on them.
        public let blasKernelSet: String
        /// sgemm GFLOP/s on the image tokens' shapes (`"197x768x768"`: M×K·K×N with the weight as `[N, K]`), one BLAS
        /// call running as many threads of its own as the kernels use.
        public let sgemmGFLOPS: [String: Double]
        /// The same products as the model runs them: columns split over the kernel threads, single-threaded BLAS in
        /// each part (``LinearProduct``).
        public let pooledSGEMMGFLOPS: [String: Double]
        /// One single-threaded product per kernel thread, side by side: the most the threads can do on each shape
        /// (``MachineLimits/independentSGEMMGFLOPS(m:n:k:threads:repeats:)``). Over the 1-thread sgemm rate, this
        /// is how much faster any split of the products over the threads can be.
        public let independentSGEMMGFLOPS: [String: Double]
        /// A streaming read of a buffer much larger than the caches, GB/s.
        public let bandwidthGBPS: Double
        /// Milliseconds of the LM head's shape in float32 for 1, 4 and 8 rows, our kernel against BLAS
        /// (``MachineLimits/smallProductMilliseconds(inFeatures:outFeatures:repeats:)``).
        public let lmHeadMilliseconds: [String: Double]

        /// The rate the model's products are judged against: per shape the faster of the two ways, averaged.
        public var referenceSGEMMGFLOPS: Double {
            let rates = sgemmGFLOPS.map { shape, rate in max(rate, pooledSGEMMGFLOPS[shape] ?? 0) }
            return rates.reduce(0, +) / Double(max(1, rates.count))
        }

        enum CodingKeys: String, CodingKey {
            case blasKernelSet = "blas_kernel_set", sgemmGFLOPS = "sgemm_gflops", pooledSGEMMGFLOPS = "pooled_sgemm_gflops"
            case independentSGEMMGFLOPS = "independent_sgemm_gflops", bandwidthGBPS = "bandwidth_gbps"
            case lmHeadMilliseconds = "lm_head_ms", referenceSGEMMGFLOPS = "reference_sgemm_gflops"
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(blasKernelSet, forKey: .blasKernelSet)
            try container.encode(sgemmGFLOPS, forKey: .sgemmGFLOPS)
            try container.encode(pooledSGEMMGFLOPS, forKey: .pooledSGEMMGFLOPS)
            try container.encode(independentSGEMMGFLOPS, forKey: .independentSGEMMGFLOPS)
            try container.encode(bandwidthGBPS, forKey: .bandwidthGBPS)
            try container.encode(lmHeadMilliseconds, forKey: .lmHeadMilliseconds)
            try container.encode(referenceSGEMMGFLOPS, forKey: .referenceSGEMMGFLOPS)
        }
    }

    /// Our figures as fractions of the limits.
    public struct Derived: Sendable, Encodable {
        /// Floating-point work of the vision tower and projection for one image, GFLOP.
        public let visionGFLOP: Double
        public let visionGFLOPS: Double
        /// The vision rate over ``Limits/referenceSGEMMGFLOPS``.
        public let visionFractionOfSGEMM: Double
        /// Floating-point work of the decoder's pass over the image tokens (`decoder_prefill`), GFLOP.
        public let decoderPrefillGFLOP: Double
        public let decoderPrefillGFLOPS: Double
        /// The decoder prefill's rate over ``Limits/referenceSGEMMGFLOPS``.
        public let decoderPrefillFractionOfSGEMM: Double
        /// Bytes of weights one decode step reads (decoder layers and LM head).
        public let decodeWeightBytes: Int
        /// `decodeWeightBytes` / bandwidth: no step can be faster.
        public let decodeFloorSeconds: Double
        /// The measured step over the floor.
        public let decodeFractionOfFloor: Double

        enum CodingKeys: String, CodingKey {
            case visionGFLOP = "vision_gflop", visionGFLOPS = "vision_gflops", visionFractionOfSGEMM = "vision_fraction_of_sgemm"
            case decoderPrefillGFLOP = "decoder_prefill_gflop", decoderPrefillGFLOPS = "decoder_prefill_gflops"
            case decoderPrefillFractionOfSGEMM = "decoder_prefill_fraction_of_sgemm"
            case decodeWeightBytes = "decode_weight_bytes", decodeFloorSeconds = "decode_floor_seconds"
            case decodeFractionOfFloor = "decode_fraction_of_floor"
        }
    }

    /// `load`, `preprocess`, `vision` (tower + projection), `decoder_prefill` (the decoder's pass over the image
    /// tokens: their keys and values in every layer), `prefill` (pixel values → first logits), `decode_step`,
    /// `caption20` (RGB image → 20-token caption), `beam4` (the same with 4 beams), `batch8` (8 images → 8 captions
    /// in one batch).
    public let figures: [String: Timing]
    /// The types the weight matrices were held in.
    public let weightTypes: Set<WeightType>
    public let limits: Limits
    public let derived: Derived

    /// Measures the checkpoint in `directory` on `image`, `repeats` times per figure after a warm-up run (the batch
    /// of 8 at most 3 times).
    public static func run(directory: URL, weightType: WeightType? = nil, image: RGBImage, repeats: Int) throws -> StageBenchmark {
        var figures = [String: Timing]()
        func time(_ name: String, runs: Int = repeats, _ body: () throws -> Void) rethrows {
            try body()
            figures[name] = Timing(try (0..<runs).map { _ in try seconds(body) })
        }
        try time("load") { _ = try GITModel(directory: directory, weightType: weightType) }
        let model = try GITModel(directory: directory, weightType: weightType)
        let decoder = model.decoder
        let prompt = [model.promptStart]
        try time("preprocess") { _ = try model.imageProcessor.preprocess(image) }
        let pixels = try model.imageProcessor.preprocess(image)
        try time("vision") { _ = try model.imageTokens(pixels) }
        let imageTokens = try model.imageTokens(pixels)
        time("decoder_prefill") { _ = decoder.encode(imageTokens: imageTokens) }
        try time("prefill") {
            var caches = [TextCache(layers: decoder.layers.count, width: decoder.hiddenSize, capacity: prompt.count)]
            _ = decoder.logits(tokens: [prompt], images: [try model.encode(pixelValues: pixels)], caches: &caches)
        }

        // Decode steps: 20 single-token steps after the prompt, each timed.
        let context = try model.encode(pixelValues: pixels)
        var steps = [Double]()
        for run in 0...repeats {
            var caches = [TextCache(layers: decoder.layers.count, width: decoder.hiddenSize, capacity: prompt.count + 21)]
            var logits = decoder.logits(tokens: [prompt], images: [context], caches: &caches).logits.row(0)
            for _ in 0..<20 {
                let token = TokenSearch.argmax(logits)
                let step = seconds { logits = decoder.logits(tokens: [[token]], images: [context], caches: &caches).logits.row(0) }
                if run > 0 { steps.append(step) }
            }
        }
        figures["decode_step"] = Timing(steps)

        let twenty = GenerationOptions(maxNewTokens: 20, minNewTokens: 20)
        try time("caption20") { _ = try model.caption(image, options: twenty) }
        var beams = twenty
        beams.numBeams = 4
        try time("beam4") { _ = try model.caption(image, options: beams) }
        try time("batch8", runs: min(repeats, 3)) {
            let requests = try (0..<8).map { _ in try model.request(image: model.encode(image)) }
            _ = try model.generate(requests, options: twenty)
        }

        let shapes = [(197, 768, 768), (197, 3072, 768), (197, 768, 3072)]
        func rates(_ rate: (Int, Int, Int) -> Double) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: shapes.map { m, n, k in ("\(m)x\(k)x\(n)", rate(m, n, k)) })
        }
        // OpenBLAS's own threads spin for a while after its threaded calls: those are measured last.
        let pooled = rates { MachineLimits.sgemmGFLOPS(m: $0, n: $1, k: $2, pooled: true) }
        let independent = rates { MachineLimits.independentSGEMMGFLOPS(m: $0, n: $1, k: $2) }
        let limits = Limits(blasKernelSet: BLAS.kernelSet, sgemmGFLOPS: rates { MachineLimits.sgemmGFLOPS(m: $0, n: $1, k: $2) }, pooledSGEMMGFLOPS: pooled,
                            independentSGEMMGFLOPS: independent,
                            bandwidthGBPS: MachineLimits.streamingReadGBPS(),
                            lmHeadMilliseconds: MachineLimits.smallProductMilliseconds(
                                inFeatures: decoder.lmHead.inFeatures, outFeatures: decoder.lmHead.outFeatures))
        let reference = limits.referenceSGEMMGFLOPS
        let visionGFLOP = Double(model.visionFLOPs) / 1e9
        let visionRate = visionGFLOP / figures["vision"]!.median
        let prefillGFLOP = Double(decoder.imageTokenFLOPs(tokens: imageTokens.rows)) / 1e9
        let prefillRate = prefillGFLOP / figures["decoder_prefill"]!.median
        let weightBytes = decoder.stepWeightBytes
        let floor = Double(weightBytes) / (limits.bandwidthGBPS * 1e9)
        return StageBenchmark(
            figures: figures, weightTypes: model.weightTypes, limits: limits,
            derived: Derived(visionGFLOP: visionGFLOP, visionGFLOPS: visionRate, visionFractionOfSGEMM: visionRate / reference,
                             decoderPrefillGFLOP: prefillGFLOP, decoderPrefillGFLOPS: prefillRate,
                             decoderPrefillFractionOfSGEMM: prefillRate / reference,
                             decodeWeightBytes: weightBytes, decodeFloorSeconds: floor,
                             decodeFractionOfFloor: figures["decode_step"]!.median / floor))
    }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

extension GITModel {
    /// Floating-point operations of the vision tower and the projection for one image (multiply-adds count two).
    var visionFLOPs: Int {
        let vision = configuration.visionConfig
        let (tokens, width, inner) = (vision.tokensPerImage, vision.hiddenSize, vision.intermediateSize)
        let patches = 2 * (tokens - 1) * vision.numChannels * vision.patchSize * vision.patchSize * width
        let layer = 2 * tokens * (4 * width * width + 2 * width * inner) + 2 * 2 * tokens * tokens * width
        return patches + vision.numHiddenLayers * layer + 2 * tokens * width * configuration.hiddenSize
    }
}

extension TextDecoder {
    /// Floating-point operations of ``encode(imageTokens:)`` over `tokens` image tokens: every layer's products and
    /// attention, but the last layer's keys and values only.
    func imageTokenFLOPs(tokens: Int) -> Int {
        let layer = 2 * tokens * (4 * hiddenSize * hiddenSize + 2 * hiddenSize * layers[0].intermediate.outFeatures)
            + 2 * 2 * tokens * tokens * hiddenSize
        return (layers.count - 1) * layer + 2 * tokens * 2 * hiddenSize * hiddenSize
    }

    /// Bytes of weights one decoding step reads: every layer's projections and feed-forward, and the LM head.
    var stepWeightBytes: Int {
        let perLayer = layers.map { layer in
            [layer.query, layer.key, layer.value, layer.attentionOutput, layer.intermediate, layer.output].reduce(0) {
                $0 + $1.weight.matrix.byteCount
            }
        }
        return perLayer.reduce(0, +) + lmHead.weight.matrix.byteCount
    }
}
