import Foundation

/// Decodes the first frame of a GIF exactly as Pillow 13's `GifImagePlugin` opens it and transformers'
/// `convert_to_rgb` turns it into RGB. An animated GIF gives its first frame, as in Pillow.
///
/// Pillow's first frame is a palette (P) image, or L when there is no colour table or it is the identity gray ramp.
/// The canvas is the logical screen, enlarged if the frame reaches past it; outside the frame it holds index 0, or
/// the transparent index when the graphic control extension sets one (the background colour index is not used). An
/// index at or past the table's end is black in P mode and gray (i, i, i) in L mode; the transparent index becomes
/// white when `convert_to_rgb` composites on white.
public struct GIFDecoder: ImageDecoding {
    public init() {}

    public var format: ImageFormat { .gif }

    public func recognizes(_ data: Data) -> Bool {
        GIFFirstFrame.signatures.contains { data.starts(with: $0) }
    }

    public func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int) {
        let frame = try GIFFirstFrame([UInt8](data), source: source)
        return (frame.width, frame.height)
    }

    public func decode(_ data: Data, source: String) throws -> RGBImage {
        let bytes = [UInt8](data)
        let frame = try GIFFirstFrame(bytes, source: source)
        guard frame.frameWidth > 0, frame.frameHeight > 0 else {
            throw ImageError.corruptData(
                source: source, format: .gif, reason: "the first frame is \(frame.frameWidth)×\(frame.frameHeight) pixels")
        }
        // A first pass without any canvas gives Pillow's outcome: a frame its data cannot fill is refused before the
        // canvas (up to the pixel limit) is allocated.
        var check = GIFLZWDecoder(bytes, frame: frame, source: source)
        try check.decode { _, _, _ in }

        let colors = Self.colorLookup(frame)
        let background = 3 * Int(frame.transparentIndex ?? 0)
        var pixels = [UInt8](repeating: 0, count: frame.width * frame.height * 3)
        if colors[background..<background + 3] != [0, 0, 0] {
            for pixel in stride(from: 0, to: pixels.count, by: 3) {
                pixels[pixel] = colors[background]
                pixels[pixel + 1] = colors[background + 1]
                pixels[pixel + 2] = colors[background + 2]
            }
        }
        var lzw = GIFLZWDecoder(bytes, frame: frame, source: source)
        try lzw.decode { x, y, index in
            let pixel = 3 * ((frame.frameY + y) * frame.width + frame.frameX + x)
            let color = 3 * Int(index)
            pixels[pixel] = colors[color]
            pixels[pixel + 1] = colors[color + 1]
            pixels[pixel + 2] = colors[color + 2]
        }
        return RGBImage(width: frame.width, height: frame.height, computedPixels: pixels)
    }

    /// RGB for each of the 256 indices after `convert_to_rgb`.
    private static func colorLookup(_ frame: GIFFirstFrame) -> [UInt8] {
        var colors = [UInt8](repeating: 0, count: 256 * 3)
        for index in 0..<256 {
            let color: (UInt8, UInt8, UInt8)
            if let transparent = frame.transparentIndex, index == Int(transparent) {
                color = (255, 255, 255)
            } else if let palette = frame.palette {
                // Pillow's palette starts as opaque black past the entries the file gives.
                color = 3 * index < palette.count ? (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2]) : (0, 0, 0)
            } else {
                color = (UInt8(index), UInt8(index), UInt8(index))
            }
            (colors[3 * index], colors[3 * index + 1], colors[3 * index + 2]) = color
        }
        return colors
    }
}
