import Image2TextKernels

extension StageBenchmark {
    /// The machine's limits (``MachineLimits``) on the shapes of git-base's image tokens and of the LM head.
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

        /// Runs the probes: sgemm on the image tokens' three product shapes, the streaming read, and the LM head's
        /// product (`outFeatures × inFeatures`).
        static func measure(lmHeadInFeatures: Int, lmHeadOutFeatures: Int) -> Limits {
            let shapes = [(197, 768, 768), (197, 3072, 768), (197, 768, 3072)]
            func rates(_ rate: (Int, Int, Int) -> Double) -> [String: Double] {
                Dictionary(uniqueKeysWithValues: shapes.map { m, n, k in ("\(m)x\(k)x\(n)", rate(m, n, k)) })
            }
            // OpenBLAS's own threads spin for a while after its threaded calls: those are measured last.
            let pooled = rates { MachineLimits.sgemmGFLOPS(m: $0, n: $1, k: $2, pooled: true) }
            let independent = rates { MachineLimits.independentSGEMMGFLOPS(m: $0, n: $1, k: $2) }
            return Limits(blasKernelSet: BLAS.kernelSet, sgemmGFLOPS: rates { MachineLimits.sgemmGFLOPS(m: $0, n: $1, k: $2) },
                          pooledSGEMMGFLOPS: pooled, independentSGEMMGFLOPS: independent,
                          bandwidthGBPS: MachineLimits.streamingReadGBPS(),
                          lmHeadMilliseconds: MachineLimits.smallProductMilliseconds(inFeatures: lmHeadInFeatures,
                                                                                      outFeatures: lmHeadOutFeatures))
        }
    }
}
