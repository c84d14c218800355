import Testing
@testable import Image2TextBenchmark

@Suite struct StageBenchmarkTimingTests {
    @Test("median of an odd and an even number of runs (the mean of the middle two), with min, max and the count")
    func summary() {
        let odd = StageBenchmark.Timing([0.3, 0.1, 0.2])
        #expect((odd.median, odd.min, odd.max, odd.runs) == (0.2, 0.1, 0.3, 3))
        let even = StageBenchmark.Timing([0.4, 0.1, 0.2, 0.3])
        #expect((even.median, even.min, even.max, even.runs) == (0.25, 0.1, 0.4, 4))
    }
}
