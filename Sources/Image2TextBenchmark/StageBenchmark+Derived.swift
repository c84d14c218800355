extension StageBenchmark {
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

        /// The fractions of the vision tower's and the decoder prefill's work and median time, and of a decode step's
        /// weight bytes and median time.
        init(limits: Limits, vision: (flops: Int, seconds: Double), decoderPrefill: (flops: Int, seconds: Double),
             decodeStep: (weightBytes: Int, seconds: Double)) {
            let reference = limits.referenceSGEMMGFLOPS
            visionGFLOP = Double(vision.flops) / 1e9
            visionGFLOPS = visionGFLOP / vision.seconds
            visionFractionOfSGEMM = visionGFLOPS / reference
            decoderPrefillGFLOP = Double(decoderPrefill.flops) / 1e9
            decoderPrefillGFLOPS = decoderPrefillGFLOP / decoderPrefill.seconds
            decoderPrefillFractionOfSGEMM = decoderPrefillGFLOPS / reference
            decodeWeightBytes = decodeStep.weightBytes
            decodeFloorSeconds = Double(decodeStep.weightBytes) / (limits.bandwidthGBPS * 1e9)
            decodeFractionOfFloor = decodeStep.seconds / decodeFloorSeconds
        }
    }
}
