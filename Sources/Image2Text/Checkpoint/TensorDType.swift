import Image2TextKernels

/// Element types a weight file may hold. Weights are F32, F16 or BF16, or I8 beside a per-row F32 `…weight_scale`
/// (the int8 snapshots `image2text convert` writes); I64 is accepted only so that the `position_ids` buffers of old
/// checkpoints can be read and ignored.
public enum TensorDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int8 = "I8"
    case int64 = "I64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float16, .bfloat16: 2
        case .int8: 1
        case .int64: 8
        }
    }

    /// Whether the type holds floating-point values.
    public var isFloatingPoint: Bool { self == .float32 || self == .float16 || self == .bfloat16 }

    /// The in-memory weight type that keeps these values as they are, if any.
    public var weightType: WeightType? {
        switch self {
        case .float32: .float32
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .int8: .int8
        case .int64: nil
        }
    }

    /// The file type that stores a weight type.
    public init(_ weightType: WeightType) {
        switch weightType {
        case .float32: self = .float32
        case .float16: self = .float16
        case .bfloat16: self = .bfloat16
        case .int8: self = .int8
        }
    }
}
