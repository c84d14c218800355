import Testing
import Image2TextKernels

@Suite struct BLASTests {
    /// Naive triple loop in Double as the reference.
    func naive(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(transposeB ? b[j * k + p] : b[p * n + j]) }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    @Test("sgemm matches a naive product on odd shapes, both B layouts", arguments: [false, true])
    func sgemmMatchesNaive(transposeB: Bool) {
        let (m, n, k) = (7, 13, 29)
        let a = (0..<(m * k)).map { Float(($0 * 37) % 17) / 8 - 1 }
        let b = (0..<(k * n)).map { Float(($0 * 11) % 23) / 11 - 1 }
        var c = [Float](repeating: .nan, count: m * n)
        BLAS.sgemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: transposeB ? k : n, transposeB: transposeB, c: &c, ldc: n)
        let expected = naive(a, b, m: m, n: n, k: k, transposeB: transposeB)
        for i in 0..<(m * n) { #expect(abs(c[i] - expected[i]) <= 1e-5 * max(1, abs(expected[i]))) }
    }
}
