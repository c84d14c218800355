import Image2TextKernels

/// `nn.Linear`: `y = x · Wᵀ + b` with the weight stored `[out, in]`.
struct Linear: Sendable {
    let weight: StoredMatrix
    let bias: FloatTensor
    var inFeatures: Int { weight.matrix.columns }
    var outFeatures: Int { weight.matrix.rows }

    /// The `x.rows × outFeatures` result for `x` of `inFeatures` columns.
    func callAsFunction(_ x: Matrix) -> Matrix { Linear.products([self], of: x)[0] }

    /// `y = activation(x · Wᵀ + b)`, the activation applied as each part of the product is done. `y` is reused when
    /// its shape fits (a feed-forward's intermediate is megabytes: a fresh one per layer costs page faults).
    func callAsFunction(_ x: Matrix, activation: Activation, into y: inout Matrix) {
        if y.rows != x.rows || y.columns != outFeatures { y = Matrix(rows: x.rows, columns: outFeatures) }
        product(x, into: &y, epilogue: .activate(activation.kernel))
    }

    /// `residual += x · Wᵀ + b`: a residual connection, added as each part of the product is done.
    func accumulate(_ x: Matrix, into residual: inout Matrix) {
        precondition(residual.rows == x.rows && residual.columns == outFeatures)
        product(x, into: &residual, epilogue: .accumulate)
    }

    /// The products of several layers with the same input (a layer's query, key and value), in one run of the
    /// kernel threads.
    static func products(_ linears: [Linear], of x: Matrix) -> [Matrix] {
        for linear in linears {
            precondition(x.columns == linear.inFeatures, "linear layer takes \(linear.inFeatures) features, got \(x.columns)")
        }
        return products(linears[...], of: x, outputs: [])
    }

    /// Allocates one output per level of recursion (each level owns its matrix while the products run).
    private static func products(_ linears: ArraySlice<Linear>, of x: Matrix, outputs: [LinearProduct.Product]) -> [Matrix] {
        guard let linear = linears.first else {
            x.values.withUnsafeBufferPointer { LinearProduct.apply(outputs, input: $0.baseAddress!, rows: x.rows) }
            return []
        }
        var output = Matrix(rows: x.rows, columns: linear.outFeatures)
        var rest = [Matrix]()
        output.values.withUnsafeMutableBufferPointer { buffer in
            let product = LinearProduct.Product(weight: linear.weight.matrix, bias: linear.bias.pointer, output: buffer.baseAddress!)
            rest = products(linears.dropFirst(), of: x, outputs: outputs + [product])
        }
        return [output] + rest
    }

    private func product(_ x: Matrix, into y: inout Matrix, epilogue: LinearProduct.Epilogue) {
        precondition(x.columns == inFeatures, "linear layer takes \(inFeatures) features, got \(x.columns)")
        x.values.withUnsafeBufferPointer { input in
            y.values.withUnsafeMutableBufferPointer { output in
                LinearProduct.apply(weight: weight.matrix, bias: bias.pointer, input: input.baseAddress!, rows: x.rows,
                                    output: output.baseAddress!, epilogue: epilogue)
            }
        }
    }
}
