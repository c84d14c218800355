/// Activation functions named by `hidden_act` (transformers `ACT2FN` names).
public enum Activation: String, Sendable, CaseIterable {
    /// Exact GELU, x·Φ(x) with erf.
    case gelu
    /// x·sigmoid(1.702·x), CLIP's approximation.
    case quickGELU = "quick_gelu"
    case relu
}
