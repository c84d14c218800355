import Foundation

/// Decodes BMP exactly as Pillow 13's `BmpImagePlugin` opens it and transformers' `convert_to_rgb` turns it into RGB:
/// 1-, 4- and 8-bit palettes (gray levels when the colour table is black and white or the identity gray ramp), RLE8
/// and RLE4 run-length data, 16-bit 5-5-5 pixels (5-6-5 with bit fields) scaled as Pillow scales them
/// (`value * 255 / 31`), 24- and 32-bit pixels, rows stored bottom row first or top row first. A 32-bit file without
/// bit fields is opaque (Pillow ignores the fourth byte); bit fields with an alpha mask make it RGBA, which
/// `convert_to_rgb` composites on white. Headers, masks and compressions Pillow refuses are refused too.
///
/// Pixel data that ends early is refused, as Pillow refuses it. Rows of one byte per pixel are read as Pillow reads a
/// file it opened by path: through a memory map when all the rows fit in the file (stepping by the stride, or by the
/// width when that is longer), else by its raw decoder.
public struct BMPDecoder: ImageDecoding {
    public init() {}

    public var format: ImageFormat { .bmp }

    public func recognizes(_ data: Data) -> Bool {
        data.starts(with: BMPHeader.signature)
    }

    public func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int) {
        let header = try BMPHeader([UInt8](data), source: source)
        return (header.width, header.height)
    }

    public func decode(_ data: Data, source: String) throws -> RGBImage {
        let bytes = [UInt8](data)
        let header = try BMPHeader(bytes, source: source)
        let (pixelCount, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        guard !overflow, pixelCount <= Int.max / 3 else {
            throw ImageError.unsupportedVariant(
                source: source, format: .bmp, variant: "\(header.width)×\(header.height) pixels do not fit in memory")
        }
        let pixels: [UInt8]
        switch header.compression {
        case .none, .bitFields: pixels = try Self.uncompressedPixels(bytes, header, source: source)
        case .runLength8, .runLength4: pixels = try Self.runLengthPixels(bytes, header, source: source)
        }
        return RGBImage(width: header.width, height: header.height, computedPixels: pixels)
    }

    private static func uncompressedPixels(_ bytes: [UInt8], _ header: BMPHeader, source: String) throws -> [UInt8] {
        let (width, height, offset) = (header.width, header.height, header.dataOffset)
        let rowBytes = (width * header.layout.bitsPerPixel + 7) / 8
        var advance = header.stride
        let mappedAdvance = max(header.stride, width)
        let mappedEnd = height.multipliedReportingOverflow(by: mappedAdvance)
        if header.layout == .gray || header.layout == .indexed(bits: 8), !mappedEnd.overflow,
            offset <= bytes.count - mappedEnd.partialValue
        {
            advance = mappedAdvance
        } else if rowBytes > header.stride {
            throw ImageError.unsupportedVariant(
                source: source, format: .bmp,
                variant: "rows of \(rowBytes) bytes in a stride of \(header.stride) (Pillow's raw decoder refuses them)")
        }
        let span = (height - 1).multipliedReportingOverflow(by: advance)
        guard !span.overflow, offset <= bytes.count - rowBytes, span.partialValue <= bytes.count - rowBytes - offset else {
            throw ImageError.truncatedData(
                source: source, format: .bmp,
                reason: "\(height) rows of \(rowBytes) bytes every \(advance) bytes from byte \(offset) do not fit in "
                    + "the file's \(bytes.count) bytes")
        }

        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let palette = header.palette
        for y in 0..<height {
            let rowStart = offset + (header.isTopDown ? y : height - 1 - y) * advance
            var output = 3 * width * y
            for x in 0..<width {
                let rgb: (UInt8, UInt8, UInt8)
                switch header.layout {
                case .bilevel:
                    let value: UInt8 = bytes[rowStart + x >> 3] >> (7 - x & 7) & 1 == 0 ? 0 : 255
                    rgb = (value, value, value)
                case .gray, .indexed:
                    let bits = header.layout.bitsPerPixel
                    let bitOffset = x * bits
                    let index = Int(bytes[rowStart + bitOffset >> 3] >> (8 - bits - bitOffset & 7)) & (1 << bits - 1)
                    rgb = (palette[3 * index], palette[3 * index + 1], palette[3 * index + 2])
                case .bgr15, .bgr16:
                    let value = Int(bytes[rowStart + 2 * x]) | Int(bytes[rowStart + 2 * x + 1]) << 8
                    let greenBits = header.layout == .bgr16 ? 6 : 5
                    let red = value >> (5 + greenBits) & 31
                    let green = value >> 5 & (1 << greenBits - 1)
                    rgb = (UInt8(red * 255 / 31), UInt8(green * 255 / (1 << greenBits - 1)), UInt8((value & 31) * 255 / 31))
                case .bytes(let order):
                    let pixel = rowStart + x * order.bytesPerPixel
                    let (red, green, blue) =
                        (bytes[pixel + order.red], bytes[pixel + order.green], bytes[pixel + order.blue])
                    if let alphaIndex = order.alpha {
                        let alpha = bytes[pixel + alphaIndex]
                        rgb = (PillowConversion.compositeOnWhite(red, alpha: alpha),
                               PillowConversion.compositeOnWhite(green, alpha: alpha),
                               PillowConversion.compositeOnWhite(blue, alpha: alpha))
                    } else {
                        rgb = (red, green, blue)
                    }
                }
                (pixels[output], pixels[output + 1], pixels[output + 2]) = rgb
                output += 3
            }
        }
        return pixels
    }

    /// Pillow hands the run-length decoder's bytes to its raw decoder as gray levels (L: for a black-and-white image
    /// 0 is black and any other value white) or palette indices (P), one byte per pixel whatever the bit count; it
    /// has no unpacker for RGB images.
    private static func runLengthPixels(_ bytes: [UInt8], _ header: BMPHeader, source: String) throws -> [UInt8] {
        guard header.bitCount <= 8 else {
            throw ImageError.unsupportedVariant(
                source: source, format: .bmp, variant: "run-length data with \(header.bitCount)-bit pixels")
        }
        let (width, height) = (header.width, header.height)
        guard let values = BMPRunLengthDecoder.decode(
            bytes, from: header.dataOffset, width: width, height: height,
            fourBitRuns: header.compression == .runLength4)
        else {
            throw ImageError.truncatedData(
                source: source, format: .bmp,
                reason: "the run-length data from byte \(header.dataOffset) ends before \(width)×\(height) pixels")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            let stored = (header.isTopDown ? y : height - 1 - y) * width
            for x in 0..<width {
                let index = 3 * Int(values[stored + x])
                let output = 3 * (y * width + x)
                (pixels[output], pixels[output + 1], pixels[output + 2]) =
                    (header.palette[index], header.palette[index + 1], header.palette[index + 2])
            }
        }
        return pixels
    }
}
