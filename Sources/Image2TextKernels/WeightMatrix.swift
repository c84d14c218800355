import CKernels

/// How weight matrices are stored in memory. Every product computes in float32; reduced types halve (f16, bf16) or
/// quarter (int8) the bytes a decoding step reads.
public enum WeightType: String, Sendable, CaseIterable, Codable {
    /// IEEE single precision: the checkpoint's own values.
    case float32 = "f32"
    /// IEEE half precision, rounded to nearest even.
    case float16 = "f16"
    /// bfloat16 (float32's exponent, 8 significant bits), rounded to nearest even.
    case bfloat16 = "bf16"
    /// Signed 8-bit integers with one float32 scale per output row: `w = scale · q`, `scale = max |row| / 127`.
    case int8

    /// Bytes per element (int8's per-row scales come on top).
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float16, .bfloat16: 2
        case .int8: 1
        }
    }

    var kernelType: i2t_weight_type {
        switch self {
        case .float32: I2T_F32
        case .float16: I2T_F16
        case .bfloat16: I2T_BF16
        case .int8: I2T_INT8
        }
    }
}

/// A `rows × columns` row-major weight matrix in any ``WeightType`` (an `nn.Linear` weight is `[out, in]`). A view:
/// whoever made it keeps the memory alive.
public struct WeightMatrix: @unchecked Sendable {
    public let type: WeightType
    public let rows: Int
    public let columns: Int
    public let values: UnsafeRawPointer
    /// One scale per row for ``WeightType/int8``; nil otherwise.
    public let scales: UnsafePointer<Float>?

    public init(type: WeightType, rows: Int, columns: Int, values: UnsafeRawPointer, scales: UnsafePointer<Float>? = nil) {
        precondition((type == .int8) == (scales != nil), "int8 weights need per-row scales, other types none")
        (self.type, self.rows, self.columns, self.values, self.scales) = (type, rows, columns, values, scales)
    }

    /// Bytes the matrix occupies, scales included.
    public var byteCount: Int { rows * columns * type.byteSize + (scales == nil ? 0 : rows * 4) }

    /// Writes rows `range` as float32 into `output` (`range.count × columns`).
    public func widen(rows range: Range<Int>, into output: UnsafeMutablePointer<Float>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        i2t_widen_rows(type.kernelType, values, scales, columns, range.lowerBound, range.upperBound, output)
    }

    /// Stores float32 `values` (`rows × columns`) as `type` into `bytes` (`rows · columns · type.byteSize` bytes):
    /// rounded to nearest even, or quantised per row for ``WeightType/int8``, whose `scales` (one per row) it writes.
    public static func narrow(_ values: UnsafePointer<Float>, rows: Int, columns: Int, to type: WeightType,
                              into bytes: UnsafeMutableRawPointer, scales: UnsafeMutablePointer<Float>?) {
        precondition((type == .int8) == (scales != nil), "int8 weights need per-row scales, other types none")
        let count = rows * columns
        switch type {
        case .float32: bytes.copyMemory(from: values, byteCount: count * 4)
        case .float16: i2t_narrow_f16(values, count, bytes.bindMemory(to: UInt16.self, capacity: count))
        case .bfloat16: i2t_narrow_bf16(values, count, bytes.bindMemory(to: UInt16.self, capacity: count))
        case .int8: i2t_quantize_int8_rows(values, rows, columns, bytes.bindMemory(to: Int8.self, capacity: count), scales)
        }
    }
}

/// Which kernels run: the AVX2 + FMA + F16C ones when the CPU has them (the default), or the portable ones.
public enum KernelVariant {
    /// Whether the AVX2 + FMA + F16C kernels are in use.
    public static var usesAVX2: Bool { i2t_uses_avx2() != 0 }

    /// Forces the portable kernels, or restores the run-time choice: lets tests compare the two paths.
    public static func forcePortable(_ portable: Bool) { i2t_use_portable_kernels(portable ? 1 : 0) }
}
