import Testing
import Image2TextKernels

/// A weight matrix in `type` built from float32 values, with the float32 values it stands for (the stored values
/// widened back): the reference every product of that matrix must match.
private final class TestMatrix {
    let matrix: WeightMatrix
    let widened: [Float]
    private let bytes: UnsafeMutableRawPointer
    private let scales: UnsafeMutablePointer<Float>?

    init(_ values: [Float], rows: Int, columns: Int, type: WeightType) {
        bytes = .allocate(byteCount: rows * columns * type.byteSize, alignment: 64)
        scales = type == .int8 ? .allocate(capacity: rows) : nil
        WeightMatrix.narrow(values, rows: rows, columns: columns, to: type, into: bytes, scales: scales)
        matrix = WeightMatrix(type: type, rows: rows, columns: columns, values: bytes, scales: scales.map { UnsafePointer($0) })
        var widened = [Float](repeating: .nan, count: rows * columns)
        matrix.widen(rows: 0..<rows, into: &widened)
        self.widened = widened
    }

    deinit {
        bytes.deallocate()
        scales?.deallocate()
    }
}

/// Every path of `LinearProduct` (our small-M kernel, sgemm, widen-then-sgemm) for every weight type equals
/// BLAS sgemm on the widened float32 weights within float32 rounding, for row counts on both sides of the kernel's
/// range, sizes that are and are not multiples of the vector width, with the AVX2 and the portable kernels.
@Suite(.serialized) struct LinearProductTests {
    // Large enough to split over threads (512 × 515), not multiples of the vector width or of the row tiles.
    static let shapes = [(512, 515), (3072, 96), (13, 29), (64, 31)]

    @Test("LinearProduct = sgemm + bias on the widened weights", arguments: WeightType.allCases, [false, true])
    func matchesGEMM(type: WeightType, portable: Bool) {
        KernelVariant.forcePortable(portable)
        defer { KernelVariant.forcePortable(false) }
        var generator = SystemRandomNumberGenerator()
        for (inFeatures, outFeatures) in Self.shapes {
            let values = (0..<inFeatures * outFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
            let weight = TestMatrix(values, rows: outFeatures, columns: inFeatures, type: type)
            let bias = (0..<outFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
            for rows in [1, 2, 3, 4, 5, 8, 9, 20] {
                let input = (0..<rows * inFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
                var ours = [Float](repeating: .nan, count: rows * outFeatures)
                var reference = (0..<rows).flatMap { _ in bias }
                LinearProduct.apply(weight: weight.matrix, bias: bias, input: input, rows: rows, output: &ours)
                BLAS.sgemm(m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures, b: weight.widened, ldb: inFeatures,
                           transposeB: true, c: &reference, ldc: outFeatures, beta: 1)
                let tolerance = 1e-5 * Float(inFeatures).squareRoot() * 4
                let worst = zip(ours, reference).map { abs($0 - $1) }.max()!
                #expect(worst <= tolerance, "\(type) \(inFeatures)→\(outFeatures), \(rows) rows, portable \(portable): max |Δ| \(worst)")

                // The epilogues, in one run of three products: ReLU after the product, and the product added to a residual.
                let residual = (0..<rows * outFeatures).map { _ in Float.random(in: -1...1, using: &generator) }
                var (stored, activated, accumulated) = (ours.map { _ in Float.nan }, ours.map { _ in Float.nan }, residual)
                stored.withUnsafeMutableBufferPointer { stored in
                    activated.withUnsafeMutableBufferPointer { activated in
                        accumulated.withUnsafeMutableBufferPointer { accumulated in
                            bias.withUnsafeBufferPointer { bias in
                                LinearProduct.apply([
                                    .init(weight: weight.matrix, bias: bias.baseAddress!, output: stored.baseAddress!),
                                    .init(weight: weight.matrix, bias: bias.baseAddress!, output: activated.baseAddress!, epilogue: .activate(.relu)),
                                    .init(weight: weight.matrix, bias: bias.baseAddress!, output: accumulated.baseAddress!, epilogue: .accumulate),
                                ], input: input, rows: rows)
                            }
                        }
                    }
                }
                let epilogueWorst = reference.indices.map {
                    max(abs(stored[$0] - reference[$0]), abs(activated[$0] - max(reference[$0], 0)),
                        abs(accumulated[$0] - (residual[$0] + reference[$0])))
                }.max()!
                #expect(epilogueWorst <= tolerance,
                        "epilogues: \(type) \(inFeatures)→\(outFeatures), \(rows) rows, portable \(portable): max |Δ| \(epilogueWorst)")
            }
        }
    }

    @Test("narrowing rounds as PyTorch does", arguments: WeightType.allCases)
    func narrowing(type: WeightType) {
        // Values chosen to hit rounding ties, subnormals, overflow and the int8 scale's edges.
        let values: [Float] = [1, -2, 0.1, 1 + 0x1p-11, 1 + 3 * 0x1p-11, 1 + 0x1p-8, 1 + 3 * 0x1p-8, 65504, 65520, 1e-7, -3e-5, 0]
        let matrix = TestMatrix(values, rows: 2, columns: 6, type: type)
        let expected: [Float] = switch type {
        case .float32: values
        case .float16: values.map { Float(Float16($0)) }  // Swift's conversion rounds to nearest even
        case .bfloat16: [1, -2, 0.10009765625, 1, 1, 1, 1 + 0x1p-6, 65536, 65536, 1.0011717677116394e-07, -3.0040740966796875e-05, 0]  // torch 2.15 `.bfloat16()`
        case .int8: values.enumerated().map { index, value in
            let scale = (index < 6 ? 2 : 65520) / Float(127)
            return scale * (value / scale).rounded(.toNearestOrEven)
        }
        }
        for (index, (ours, reference)) in zip(matrix.widened, expected).enumerated() {
            #expect(ours == reference || (type == .int8 && abs(ours - reference) <= abs(reference) * 1e-6),
                    "\(type) value \(index) (\(values[index])): \(ours) vs \(reference)")
        }
    }
}
