import Image2TextKernels

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
