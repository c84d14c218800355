import Image2TextKernels

/// A checkpoint tensor as float32. F32 tensors point straight into the memory-mapped weight file (nothing is copied
/// at load); F16 and BF16 tensors, and F32 data the file does not align, are converted once into owned memory.
struct FloatTensor: @unchecked Sendable {
    // Immutable after init. The pointer stays valid as long as `storage` (owned values) or the WeightStore (mapped
    // file) lives; GITModel keeps the store for its whole lifetime.
    let shape: [Int]
    let pointer: UnsafePointer<Float>
    private let storage: OwnedBytes?

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
        let owned = OwnedBytes(count: count * 4)
        let floats = owned.pointer.bindMemory(to: Float.self, capacity: count)
        let bytes = tensor.bytes
        switch tensor.dtype {
        case .float32:
            for i in 0..<count { floats[i] = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        case .float16:
            for i in 0..<count { floats[i] = Float(Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bfloat16:
            for i in 0..<count {
                floats[i] = Float(bitPattern: UInt32(bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
        case .float64, .int64, .int32, .int16, .int8, .uint8, .bool:
            preconditionFailure("WeightStore admits other types only as int8 matrices or ignored buffers")
        }
        pointer = UnsafePointer(floats)
        storage = owned
    }
}

/// Memory owned by a converted tensor.
private final class OwnedBytes: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(count: Int) { pointer = .allocate(byteCount: max(count, 1), alignment: 64) }
    deinit { pointer.deallocate() }
}

/// A weight matrix (a linear weight or the word embeddings) in the type the model computes from: the stored type,
/// read in place from the memory-mapped file, or another ``WeightType`` the caller asked for, converted once at load.
struct StoredMatrix: @unchecked Sendable {
    // Immutable after init; the views stay valid as long as `storage`/`scales` or the WeightStore lives.
    let matrix: WeightMatrix
    private let storage: OwnedBytes?
    private let scaleTensor: FloatTensor?

    /// `tensor` (with its per-row `scales` if it is I8) as `type`, or as stored if `type` is nil.
    init(_ tensor: WeightTensor, scales: WeightTensor?, type requested: WeightType?) {
        let (rows, columns) = (tensor.shape[0], tensor.shape.dropFirst().reduce(1, *))
        let stored = tensor.dtype.weightType!
        let scaleTensor = scales.map(FloatTensor.init)
        let type = requested ?? stored
        if type == stored, let base = tensor.bytes.baseAddress, Int(bitPattern: base) % tensor.dtype.byteSize == 0 {
            matrix = WeightMatrix(type: type, rows: rows, columns: columns, values: base, scales: scaleTensor?.pointer)
            (storage, self.scaleTensor) = (nil, scaleTensor)
            return
        }
        // Through float32: the stored values widened (a view for aligned F32), then narrowed to the requested type.
        // (withExtendedLifetime: the temporaries own the memory their pointers refer to.)
        let floats: FloatTensor
        if stored == .int8 {
            let view = StoredMatrix(tensor, scales: scales, type: nil)
            floats = withExtendedLifetime(view) { FloatTensor(widening: view.matrix) }
        } else {
            floats = FloatTensor(tensor)
        }
        let owned = OwnedBytes(count: rows * columns * type.byteSize + (type == .int8 ? rows * 4 : 0))
        let ownedScales = type == .int8 ? (owned.pointer + rows * columns).bindMemory(to: Float.self, capacity: rows) : nil
        withExtendedLifetime(floats) {
            WeightMatrix.narrow(floats.pointer, rows: rows, columns: columns, to: type, into: owned.pointer, scales: ownedScales)
        }
        matrix = WeightMatrix(type: type, rows: rows, columns: columns, values: owned.pointer, scales: ownedScales.map { UnsafePointer($0) })
        (storage, self.scaleTensor) = (owned, nil)
    }
}

extension FloatTensor {
    /// A float32 copy of a weight matrix of any type.
    init(widening matrix: WeightMatrix) {
        let owned = OwnedBytes(count: matrix.rows * matrix.columns * 4)
        let floats = owned.pointer.bindMemory(to: Float.self, capacity: matrix.rows * matrix.columns)
        matrix.widen(rows: 0..<matrix.rows, into: floats)
        (shape, pointer, storage) = ([matrix.rows, matrix.columns], UnsafePointer(floats), owned)
    }
}

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

/// Reads typed parameters out of a checked ``WeightStore``: weight matrices in `weightType` (as stored if nil),
/// everything else as float32.
struct ParameterReader {
    let store: WeightStore
    let weightType: WeightType?

    func tensor(_ name: String) throws -> FloatTensor {
        guard let tensor = store[name] else {
            throw CheckpointError.missingTensors(store.files.first?.url ?? .init(fileURLWithPath: "."), names: [name])
        }
        return FloatTensor(tensor)
    }

    func tensor(_ expected: ExpectedTensor) throws -> FloatTensor { try tensor(expected.name) }

    func matrix(_ expected: ExpectedTensor) throws -> StoredMatrix {
        guard let tensor = store[expected.name] else {
            throw CheckpointError.missingTensors(store.files.first?.url ?? .init(fileURLWithPath: "."), names: [expected.name])
        }
        return StoredMatrix(tensor, scales: store[expected.scaleName], type: weightType)
    }

    func linear(_ names: LinearNames) throws -> Linear {
        Linear(weight: try matrix(names.expected[0]), bias: try tensor(names.bias))
    }

    func layerNorm(_ names: LayerNormNames, epsilon: Double) throws -> LayerNorm {
        LayerNorm(gamma: try tensor(names.weight), beta: try tensor(names.bias), epsilon: Float(epsilon))
    }
}

extension Activation {
    /// The kernel that computes the function.
    var kernel: ActivationKernel {
        switch self {
        case .gelu: .gelu
        case .quickGELU: .quickGELU
        case .relu: .relu
        }
    }
}
