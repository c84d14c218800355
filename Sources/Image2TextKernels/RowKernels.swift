import Foundation

// Element-wise and row-wise kernels of the transformer layers, on row-major float32 matrices. Reductions accumulate
// in Double so that results sit within float rounding of PyTorch's, whatever its summation order.

/// Row-wise operations on a row-major `rows × width` matrix.
public enum RowKernels {
    /// `x[r] = LayerNorm(x[r]) · gamma + beta` for every row, in place, with the biased variance (PyTorch
    /// `nn.LayerNorm`).
    public static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float
    ) {
        for row in 0..<rows {
            let values = x + row * width
            var sum = 0.0
            for i in 0..<width { sum += Double(values[i]) }
            let mean = sum / Double(width)
            var squares = 0.0
            for i in 0..<width {
                let centered = Double(values[i]) - mean
                squares += centered * centered
            }
            let inverseDeviation = 1 / (squares / Double(width) + Double(epsilon)).squareRoot()
            let (meanFloat, scale) = (Float(mean), Float(inverseDeviation))
            for i in 0..<width { values[i] = (values[i] - meanFloat) * scale * gamma[i] + beta[i] }
        }
    }

    /// Adds `bias` (length `width`) to every row.
    public static func addBias(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, bias: UnsafePointer<Float>) {
        for row in 0..<rows {
            let values = x + row * width
            for i in 0..<width { values[i] += bias[i] }
        }
    }

    /// `x += y` over `count` elements.
    public static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { x[i] += y[i] }
    }

    /// Softmax of one row in place: `x[i] = exp(x[i] − max) / Σ exp(x[j] − max)`.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count { maximum = max(maximum, x[i]) }
        var sum: Float = 0
        for i in 0..<count {
            let e = expf(x[i] - maximum)
            x[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { x[i] *= inverse }
    }
}

/// The activation functions of GIT's feed-forward layers, applied in place.
public enum ActivationKernels {
    /// Exact GELU, `x · ½ · (1 + erf(x / √2))` (PyTorch `gelu`, BERT).
    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let inverseSquareRootTwo: Float = 0.70710678118654752440
        for i in 0..<count { x[i] = x[i] * 0.5 * (1 + erff(x[i] * inverseSquareRootTwo)) }
    }

    /// `x · sigmoid(1.702 · x)` (CLIP's quick GELU).
    public static func quickGELU(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = x[i] / (1 + expf(-1.702 * x[i])) }
    }

    /// `max(x, 0)`.
    public static func relu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { x[i] = max(x[i], 0) }
    }
}
