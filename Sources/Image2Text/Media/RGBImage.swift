/// An 8-bit RGB image: `height` rows of `width` pixels, top row first, each pixel three bytes (red, green, blue).
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes, interleaved RGB, row-major.
    public let pixels: [UInt8]

    /// Wraps `pixels`; `nil` unless both sides are positive and `pixels.count == width * height * 3`.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, width.multipliedReportingOverflow(by: height * 3) == (pixels.count, false) else {
            return nil
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// For buffers the caller sized as `width * height * 3` itself (decoders, resampling).
    init(width: Int, height: Int, computedPixels pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
