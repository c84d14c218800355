import Image2TextKernels

/// A checkpoint tensor as float32. F32 tensors point straight into the memory-mapped weight file (nothing is copied
/// at load); F16 and BF16 tensors, and F32 data the file does not align, are converted once into owned memory.
struct FloatTensor: @unchecked Sendable {
    // Immutable after init. The pointer stays valid as long as `storage` (owned values) or the WeightStore (mapped
    // file) lives; GITModel keeps the store for its whole lifetime.
    let shape: [Int]
    let pointer: UnsafePointer<Float>
    private let storage: OwnedFloats?

    var count: Int { shape.reduce(1, *) }

    init(_ tensor: WeightTensor) {
        shape = tensor.shape
        let count = tensor.shape.reduce(1, *)
        if tensor.dtype == .float32, let base = tensor.bytes.baseAddress,
           Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0 {
            pointer = base.assumingMemoryBound(to: Float.self)
            storage = nil
            return
        }
        let owned = OwnedFloats(count: count)
        let bytes = tensor.bytes
        switch tensor.dtype {
        case .float32:
            for i in 0..<count { owned.pointer[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        case .float16:
            for i in 0..<count { owned.pointer[i] = Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bfloat16:
            for i in 0..<count {
                owned.pointer[i] = Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
        case .int64:
            preconditionFailure("WeightStore admits integer tensors only as ignored buffers")
        }
        pointer = UnsafePointer(owned.pointer)
        storage = owned
    }
}

/// Float32 memory owned by a converted tensor.
private final class OwnedFloats: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(count: Int) { pointer = .allocate(capacity: max(count, 1)) }
    deinit { pointer.deallocate() }
}

/// `nn.Linear`: `y = x · Wᵀ + b` with the weight stored `[out, in]`.
struct Linear: Sendable {
    let weight: FloatTensor
    let bias: FloatTensor
    var inFeatures: Int { weight.shape[1] }
    var outFeatures: Int { weight.shape[0] }

    /// The `x.rows × outFeatures` result for `x` of `inFeatures` columns.
    func callAsFunction(_ x: Matrix) -> Matrix {
        precondition(x.columns == inFeatures, "linear layer takes \(inFeatures) features, got \(x.columns)")
        var y = Matrix(rows: x.rows, columns: outFeatures)
        x.values.withUnsafeBufferPointer { input in
            y.values.withUnsafeMutableBufferPointer { output in
                apply(input.baseAddress!, rows: x.rows, output: output.baseAddress!)
            }
        }
        return y
    }

    /// Writes `rows × outFeatures` results for `rows × inFeatures` inputs.
    func apply(_ input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>) {
        if LinearRows.rowRange.contains(rows) {
            LinearRows.apply(weight: weight.pointer, inFeatures: inFeatures, outFeatures: outFeatures, input: input, rows: rows,
                             bias: bias.pointer, output: output)
            return
        }
        for row in 0..<rows { (output + row * outFeatures).update(from: bias.pointer, count: outFeatures) }
        if rows == 1 {
            BLAS.sgemv(m: outFeatures, n: inFeatures, a: weight.pointer, lda: inFeatures, x: input, y: output, beta: 1)
        } else {
            BLAS.sgemm(m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures,
                       b: weight.pointer, ldb: inFeatures, transposeB: true, c: output, ldc: outFeatures, beta: 1)
        }
    }
}

/// `nn.LayerNorm` over the last dimension.
struct LayerNorm: Sendable {
    let gamma: FloatTensor
    let beta: FloatTensor
    let epsilon: Float

    func apply(_ x: inout Matrix) {
        precondition(x.columns == gamma.count)
        x.values.withUnsafeMutableBufferPointer {
            RowKernels.layerNorm($0.baseAddress!, rows: x.rows, width: x.columns, gamma: gamma.pointer, beta: beta.pointer, epsilon: epsilon)
        }
    }
}

/// Reads typed parameters out of a checked ``WeightStore``.
struct ParameterReader {
    let store: WeightStore

    func tensor(_ name: String) throws -> FloatTensor {
        guard let tensor = store[name] else {
            throw CheckpointError.missingTensors(store.files.first?.url ?? .init(fileURLWithPath: "."), names: [name])
        }
        return FloatTensor(tensor)
    }

    func tensor(_ expected: ExpectedTensor) throws -> FloatTensor { try tensor(expected.name) }

    func linear(_ names: LinearNames) throws -> Linear {
        Linear(weight: try tensor(names.weight), bias: try tensor(names.bias))
    }

    func layerNorm(_ names: LayerNormNames, epsilon: Double) throws -> LayerNorm {
        LayerNorm(gamma: try tensor(names.weight), beta: try tensor(names.bias), epsilon: Float(epsilon))
    }
}

extension Activation {
    /// Applies the activation in place to `x`.
    func apply(_ x: inout Matrix) {
        x.values.withUnsafeMutableBufferPointer { buffer in
            let (pointer, count) = (buffer.baseAddress!, buffer.count)
            switch self {
            case .gelu: ActivationKernels.gelu(pointer, count: count)
            case .quickGELU: ActivationKernels.quickGELU(pointer, count: count)
            case .relu: ActivationKernels.relu(pointer, count: count)
            }
        }
    }
}
