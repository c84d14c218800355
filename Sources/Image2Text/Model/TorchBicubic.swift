/// torch's `nn.functional.interpolate(mode="bicubic", align_corners=False)` to a given size, on CPU in float32:
/// `upsample_bicubic2d` (ref: pytorch aten/src/ATen/native/UpSample.h `area_pixel_compute_scale`,
/// `area_pixel_compute_source_index`, `guard_index_and_lambda`, `get_cubic_upsample_coefficients`;
/// aten/src/ATen/native/cpu/UpSampleKernel.cpp `HelperInterpCubic::compute_indices_weights`, `Interpolate::eval`).
///
/// Per axis, output index `i` reads input `⌊s⌋ − 1 … ⌊s⌋ + 2` (clamped to the input) with the cubic convolution
/// weights (A = −0.75) of `t = s − ⌊s⌋`, where `s = (i + 0.5) · in/out − 0.5`. An output value is
/// `Σₐ wₐ · Σ_b w_b · input[rowₐ, column_b]`. torch's x86-64 build (whose results the goldens hold) fuses some of these
/// multiply-adds; the same ones are fused here (`addingProduct`), so the results are bit-identical to it.
enum TorchBicubic {
    /// The four input indices (clamped to the input) and weights that make one output index along one axis.
    struct Taps {
        let indices: [Int]
        let weights: SIMD4<Float>
    }

    /// The cubic convolution constant of torch's non-antialiased bicubic (OpenCV's).
    static let a: Float = -0.75

    /// The taps of every output index when an axis of `inputSize` is resized to `outputSize`.
    static func taps(inputSize: Int, outputSize: Int) -> [Taps] {
        let scale = Float(inputSize) / Float(outputSize)
        return (0..<outputSize).map { i in
            let source = Float(-0.5).addingProduct(scale, Float(i) + 0.5)
            let index = min(Int(source.rounded(.down)), inputSize - 1)
            let t = min(max(source - Float(index), 0), 1)
            return Taps(indices: (0..<4).map { min(max(index + $0 - 1, 0), inputSize - 1) },
                        weights: SIMD4(cubicOuter(t + 1), cubicInner(t), cubicInner(1 - t), cubicOuter((1 - t) + 1)))
        }
    }

    /// The kernel for |x| ≤ 1: `((A + 2)·x − (A + 3))·x·x + 1`.
    private static func cubicInner(_ x: Float) -> Float {
        (-(a + 3)).addingProduct(a + 2, x) * x * x + 1
    }

    /// The kernel for 1 < |x| < 2: `((A·x − 5A)·x + 8A)·x − 4A`.
    private static func cubicOuter(_ x: Float) -> Float {
        (8 * a).addingProduct((-5 * a).addingProduct(a, x), x) * x - 4 * a
    }

    /// `Σ xₖ·wₖ` as the compiled kernel accumulates it: the second product, then the first, third and fourth fused in.
    @inline(__always)
    static func sum(_ x: SIMD4<Float>, _ w: SIMD4<Float>) -> Float {
        (x[1] * w[1]).addingProduct(x[0], w[0]).addingProduct(x[2], w[2]).addingProduct(x[3], w[3])
    }

    /// Resizes a `rows × columns` grid of `channels`-float vectors (row-major, channels last) to
    /// `outputRows × outputColumns`, into `output`. Separable: every input row is resized along its columns once, then
    /// each output value sums four of those (the same arithmetic as torch's per-output loop).
    static func resize(_ input: UnsafePointer<Float>, rows: Int, columns: Int, channels: Int,
                       toRows outputRows: Int, columns outputColumns: Int, into output: UnsafeMutablePointer<Float>) {
        let horizontal = taps(inputSize: columns, outputSize: outputColumns)
        let vertical = taps(inputSize: rows, outputSize: outputRows)
        var resizedRows = [Float](repeating: 0, count: rows * outputColumns * channels)
        for row in 0..<rows {
            for (column, tap) in horizontal.enumerated() {
                let sources = tap.indices.map { input + (row * columns + $0) * channels }
                let target = (row * outputColumns + column) * channels
                for channel in 0..<channels {
                    let x = SIMD4(sources[0][channel], sources[1][channel], sources[2][channel], sources[3][channel])
                    resizedRows[target + channel] = sum(x, tap.weights)
                }
            }
        }
        for (row, tap) in vertical.enumerated() {
            for column in 0..<outputColumns {
                let sources = tap.indices.map { ($0 * outputColumns + column) * channels }
                let target = output + (row * outputColumns + column) * channels
                for channel in 0..<channels {
                    let x = SIMD4(resizedRows[sources[0] + channel], resizedRows[sources[1] + channel],
                                  resizedRows[sources[2] + channel], resizedRows[sources[3] + channel])
                    target[channel] = sum(x, tap.weights)
                }
            }
        }
    }
}
