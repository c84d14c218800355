/// The values a floating-point generation option takes. Subnormal, infinite and NaN values are refused for every one:
/// they turn scores into zeros, infinities or NaN (a temperature of 1e-320 is 0 in float32).
public enum NumberRange: Sendable, Equatable {
    /// Positive and normal in float32, the type scores are computed in (`temperature`, `repetition_penalty`).
    case positiveFloat32
    /// In (0, 1] (`top_p`).
    case probability
    /// Any finite value that is zero or normal (`length_penalty`, an exponent).
    case exponent

    public func contains(_ value: Double) -> Bool {
        switch self {
        case .positiveFloat32: value >= Double(Float.leastNormalMagnitude) && value <= Double(Float.greatestFiniteMagnitude)
        case .probability: value.isNormal && value > 0 && value <= 1
        case .exponent: value == 0 || value.isNormal
        }
    }

    /// What a value must be, as error messages say it.
    public var expectation: String {
        switch self {
        case .positiveFloat32: "must be a positive number from \(Float.leastNormalMagnitude) to \(Float.greatestFiniteMagnitude)"
        case .probability: "must be in (0, 1], and not subnormal"
        case .exponent: "must be a finite number, zero or not subnormal"
        }
    }
}
