import Image2TextKernels

/// `nn.LayerNorm` over the last dimension.
struct LayerNorm: Sendable {
    let gamma: FloatTensor
    let beta: FloatTensor
    let epsilon: Float

    /// `x = LayerNorm(x + residual)` (`x = LayerNorm(x)` without a residual), the sum taken first as PyTorch does.
    func apply(_ x: inout Matrix, residual: Matrix? = nil) {
        precondition(x.columns == gamma.count && (residual.map { $0.rows == x.rows && $0.columns == x.columns } ?? true))
        x.values.withUnsafeMutableBufferPointer { values in
            func normalize(_ residual: UnsafePointer<Float>?) {
                RowKernels.layerNorm(values.baseAddress!, residual: residual, rows: x.rows, width: x.columns, gamma: gamma.pointer,
                                     beta: beta.pointer, epsilon: epsilon, output: values.baseAddress!)
            }
            if let residual { residual.values.withUnsafeBufferPointer { normalize($0.baseAddress!) } } else { normalize(nil) }
        }
    }

    /// `LayerNorm(x)` as a new matrix.
    func callAsFunction(_ x: Matrix) -> Matrix {
        precondition(x.columns == gamma.count)
        var y = Matrix(rows: x.rows, columns: x.columns)
        x.values.withUnsafeBufferPointer { input in
            y.values.withUnsafeMutableBufferPointer { output in
                RowKernels.layerNorm(input.baseAddress!, rows: x.rows, width: x.columns, gamma: gamma.pointer, beta: beta.pointer,
                                     epsilon: epsilon, output: output.baseAddress!)
            }
        }
        return y
    }
}
