import Image2TextSupport

/// Float32 pixel values, channels first: `shape` is `[3, height, width]` and `values` holds them row-major.
public struct PixelValues: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]

    public var height: Int { shape[1] }
    public var width: Int { shape[2] }

    /// SHA-256 of the values as little-endian float32 bytes (what the goldens and `image2text preprocess` print).
    package var sha256: String {
        values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { SHA256.hexDigest($0) }
    }
}
