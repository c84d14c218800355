import Testing
import Image2TextKernels

/// The small-M linear kernel equals BLAS sgemm (the reference path for larger M) within float32 rounding, for every
/// row count it takes, sizes that are and are not multiples of its vector width, with and without threads.
@Suite struct LinearRowsTests {
    @Test("LinearRows = sgemm + bias", arguments: [(768, 768), (768, 3072), (3072, 768), (13, 29), (64, 31)])
    func matchesGEMM(inFeatures: Int, outFeatures: Int) {
        var generator = SystemRandomNumberGenerator()
        let weight = (0..<inFeatures * outFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
        let bias = (0..<outFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
        for rows in 1...8 {
            let input = (0..<rows * inFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
            var ours = [Float](repeating: .nan, count: rows * outFeatures)
            var reference = (0..<rows).flatMap { _ in bias }
            LinearRows.apply(weight: weight, inFeatures: inFeatures, outFeatures: outFeatures, input: input, rows: rows,
                             bias: bias, output: &ours)
            BLAS.sgemm(m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures, b: weight, ldb: inFeatures,
                       transposeB: true, c: &reference, ldc: outFeatures, beta: 1)
            let worst = zip(ours, reference).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5 * Float(inFeatures).squareRoot() * 4, "\(rows) rows: max |Δ| \(worst)")
        }
    }
}
