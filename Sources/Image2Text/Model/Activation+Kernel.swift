import Image2TextKernels

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
