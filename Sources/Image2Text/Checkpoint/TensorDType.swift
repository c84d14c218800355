import Image2TextKernels

/// Element types a weight file may hold (safetensors spelling). Weights are F32, F16 or BF16, or I8 beside a per-row
/// F32 `…weight_scale` (the int8 snapshots `image2text convert` writes). The other types are the buffers a real state
/// dict may carry (the int64 `position_ids` of transformers 4.x files above all): they are read so that such a buffer
/// can be ignored, and refused wherever a weight belongs.
public enum TensorDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case float64 = "F64"
    case int64 = "I64"
    case int32 = "I32"
    case int16 = "I16"
    case int8 = "I8"
    case uint8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether the model reads weights of this type as floating-point values: F32, F16 and BF16 (F64 is not read).
    public var isWeightFloat: Bool { self == .float32 || self == .float16 || self == .bfloat16 }

    /// The in-memory weight type that keeps these values as they are, if any.
    public var weightType: WeightType? {
        switch self {
        case .float32: .float32
        case .float16: .float16
        case .bfloat16: .bfloat16
        case .int8: .int8
        case .float64, .int64, .int32, .int16, .uint8, .bool: nil
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
