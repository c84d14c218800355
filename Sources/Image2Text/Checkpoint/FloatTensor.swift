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

extension FloatTensor {
    /// A float32 copy of a weight matrix of any type.
    init(widening matrix: WeightMatrix) {
        let owned = OwnedBytes(count: matrix.rows * matrix.columns * 4)
        let floats = owned.pointer.bindMemory(to: Float.self, capacity: matrix.rows * matrix.columns)
        matrix.widen(rows: 0..<matrix.rows, into: floats)
        (shape, pointer, storage) = ([matrix.rows, matrix.columns], UnsafePointer(floats), owned)
    }
}
