/// The resampling filters of Pillow's `Image.resize`, numbered as in `PIL.Image.Resampling` (and in the `resample`
/// key of processor configs). Pillow 13's `MKS2013` (6) and `MKS2021` (7) are not ported.
public enum ResamplingFilter: Int, Sendable, CaseIterable, CustomStringConvertible {
    case nearest = 0
    case lanczos = 1
    case bilinear = 2
    case bicubic = 3
    case box = 4
    case hamming = 5

    public var description: String {
        switch self {
        case .nearest: "NEAREST"
        case .lanczos: "LANCZOS"
        case .bilinear: "BILINEAR"
        case .bicubic: "BICUBIC"
        case .box: "BOX"
        case .hamming: "HAMMING"
        }
    }
}
