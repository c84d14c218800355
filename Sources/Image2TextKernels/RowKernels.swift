import CKernels
import Foundation

// Element-wise and row-wise kernels of the transformer layers, on row-major float32 matrices (row_kernels.h: SIMD at
// run time, portable otherwise). LayerNorm accumulates in Double so that results sit within float rounding of
// PyTorch's, whatever its summation order.

/// Row-wise operations on a row-major `rows × width` matrix.
public enum RowKernels {
    /// Rows per part when a pass is split over the kernel threads: below this, a part costs more than it saves.
    static let minimumRowsPerPart = 16

    /// `output[r] = LayerNorm(x[r] + residual[r]) · gamma + beta` for every row (no residual if nil), with the
    /// biased variance (PyTorch `nn.LayerNorm`). `output` may be `x`. Rows are split over the kernel threads.
    public static func layerNorm(
        _ x: UnsafePointer<Float>, residual: UnsafePointer<Float>? = nil, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float, output: UnsafeMutablePointer<Float>
    ) {
        forEachBlock(rows: rows) { block in
            let offset = block.lowerBound * width
            i2t_layer_norm_rows(x + offset, width, residual.map { $0 + offset }, width, block.count, width, gamma, beta,
                                epsilon, output + offset, width)
        }
    }

    /// `x += y` over `count` elements.
    public static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        i2t_add_rows(x, count, y, count, 1, count)
    }

    /// Adds `row` (length `width`, a bias or an embedding) to each of the `rows` rows of `x`.
    public static func add(row: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        i2t_add_rows(x, width, row, 0, rows, width)
    }

    /// Softmax of one row in place: `x[i] = exp(x[i] − max) / Σ exp(x[j] − max)`; exp(−inf) is exactly 0.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        i2t_softmax(x, count)
    }

    /// The two terms of PyTorch's `log_softmax` over one row, `log_softmax(x)[i] = x[i] − maximum − logSum`:
    /// the row's maximum and `log Σ exp(x[j] − maximum)`, eight lanes at a time, without writing the row.
    public static func logSoftmaxTerms(_ x: UnsafePointer<Float>, count: Int) -> (maximum: Float, logSum: Float) {
        var maximum: Float = 0
        let sum = i2t_exp_sum(x, count, &maximum)
        return (maximum, logf(sum))
    }

    /// Runs `body` on consecutive blocks of `0..<rows`, one block per part of a kernel-thread run.
    static func forEachBlock(rows: Int, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(KernelThreads.available * 2, rows / minimumRowsPerPart))
        let blockRows = (rows + parts - 1) / parts
        KernelThreads.run(parts: parts) { part in
            let begin = min(rows, part * blockRows)
            body(begin..<min(rows, begin + blockRows))
        }
    }
}

/// The activation functions of GIT's feed-forward layers.
public enum ActivationKernel: Sendable {
    /// Exact GELU, `x · ½ · (1 + erf(x / √2))` (PyTorch `gelu`, BERT), with PyTorch's vectorised erf.
    case gelu
    /// `x · sigmoid(1.702 · x)` (CLIP's quick GELU).
    case quickGELU
    /// `max(x, 0)`.
    case relu

    /// Applies the function in place to a `rows × width` block whose rows are `stride` floats apart.
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int) {
        i2t_activate_rows(kernel, x, stride, rows, width)
    }

    private var kernel: i2t_activation {
        switch self {
        case .gelu: I2T_GELU
        case .quickGELU: I2T_QUICK_GELU
        case .relu: I2T_RELU
        }
    }
}
