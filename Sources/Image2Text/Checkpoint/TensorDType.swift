/// Element types a weight file may hold. Weights are F32, F16 or BF16; I64 is accepted only so that the
/// `position_ids` buffers of old checkpoints can be read and ignored.
public enum TensorDType: String, Sendable, CaseIterable {
    case float32 = "F32"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int64 = "I64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32: 4
        case .float16, .bfloat16: 2
        case .int64: 8
        }
    }

    /// Whether the type can hold model weights.
    public var isFloatingPoint: Bool { self != .int64 }
}
