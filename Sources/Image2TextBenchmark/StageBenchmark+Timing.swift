extension StageBenchmark {
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
}
