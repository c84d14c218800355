import CPNG
import Foundation

/// Decodes PNG with libpng's simplified `png_image` API, then converts to RGB exactly as Pillow 13's
/// `PngImagePlugin` + transformers' `convert_to_rgb` do.
///
/// libpng's simplified API colour-manages (gAMA, sRGB, iCCP, cHRM), treats 16-bit samples as linear light and
/// applies tRNS colour keys on the raw samples; Pillow does none of that. So the decoder hands libpng a copy of the
/// file without those chunks (libpng then assumes 8-bit sRGB and 16-bit linear, which it passes through unchanged),
/// asks for the file's own channel layout and depth, and does Pillow's conversions itself:
/// 16-bit RGB keeps the high byte (`RGB;16B`), 16-bit gray clips to 255 (`I;16` → `RGB` in `I16_RGB`), colour keys
/// compare the converted 8-bit pixel with the key's low byte (`rgbT2a`), and alpha is composited on white
/// (`ImagingAlphaComposite`).
///
/// One difference remains: libpng returns 16-bit samples *with* an alpha channel premultiplied by alpha, so for
/// 16-bit gray+alpha and RGBA files the colour is recovered by division and can differ from Pillow's by one level.
/// And a file whose compressed data ends before the last row is refused as truncated (before the image is allocated
/// when the IDAT chunks are too short to inflate to its declared size), where Pillow fills the rest with zeros.
public struct PNGDecoder: ImageDecoding {
    public init() {}

    public var format: ImageFormat { .png }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public func recognizes(_ data: Data) -> Bool {
        data.starts(with: Self.signature)
    }

    public func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int) {
        let header = try PNGChunks(data, source: source).header
        return (header.width, header.height)
    }

    public func decode(_ data: Data, source: String) throws -> RGBImage {
        let chunks = try PNGChunks(data, source: source)
        let header = chunks.header
        if chunks.imageDataBytes < chunks.minimumImageDataBytes {
            throw ImageError.truncatedData(
                source: source, format: .png,
                reason: "the IDAT chunks hold \(chunks.imageDataBytes) bytes; inflating them to the \(header.width)×"
                    + "\(header.height) pixels IHDR declares takes at least \(chunks.minimumImageDataBytes)")
        }
        let layout = SampleLayout(header)
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }

        let begun = chunks.stream.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw failure(image, chunks, source: source) }
        image.format = layout.libpngFormat
        let (pixelCount, pixelOverflow) = header.width.multipliedReportingOverflow(by: header.height)
        let (sampleCount, sampleOverflow) = pixelCount.multipliedReportingOverflow(by: layout.channels)
        if pixelOverflow || sampleOverflow {
            throw ImageError.unsupportedVariant(
                source: source, format: .png, variant: "\(header.width)×\(header.height) pixels do not fit in memory")
        }
        var pixels: [UInt8]
        if layout.is16Bit {
            var samples = [UInt16](repeating: 0, count: sampleCount)
            let finished = samples.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else { throw failure(image, chunks, source: source) }
            pixels = Self.rgb(from16Bit: samples, layout: layout)
        } else {
            var samples = [UInt8](repeating: 0, count: sampleCount)
            let finished = samples.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard finished != 0 else { throw failure(image, chunks, source: source) }
            pixels = Self.rgb(from8Bit: samples, layout: layout)
        }
        if let key = try chunks.colorKey(source: source) {
            Self.applyColorKey(key, to: &pixels)
        }
        return RGBImage(width: header.width, height: header.height, computedPixels: pixels)
    }

    /// `Exif\0\0` and the last eXIf chunk's payload, as Pillow stores it (the last chunk wins, before or after the
    /// image data).
    public func exifPayload(in data: Data) -> Data? {
        (try? PNGChunks(data, source: "").exifPayload).map { Data("Exif\0\0".utf8) + $0 }
    }

    /// libpng's error when the compressed data ends before the last row.
    private static let shortImageDataMessage = "Not enough image data"

    private func failure(_ image: png_image, _ chunks: PNGChunks, source: String) -> ImageError {
        let message = withUnsafeBytes(of: image.message) { bytes in
            String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if chunks.isTruncated || message == Self.shortImageDataMessage {
            return .truncatedData(source: source, format: .png, reason: message)
        }
        return .corruptData(source: source, format: .png, reason: message)
    }

    /// The channel layout requested from libpng: the file's own, at its own depth (1, 2 and 4-bit samples are
    /// widened to 8 bits, as Pillow widens them; palettes are expanded, with alpha when there is a tRNS).
    private struct SampleLayout {
        var channels: Int
        var hasAlpha: Bool
        var is16Bit: Bool
        var libpngFormat: UInt32

        init(_ header: PNGChunks.Header) {
            let isColor = header.colorType & 2 != 0
            hasAlpha = header.colorType & 4 != 0 || (header.colorType == 3 && header.hasPaletteTransparency)
            is16Bit = header.bitDepth == 16
            channels = (isColor ? 3 : 1) + (hasAlpha ? 1 : 0)
            libpngFormat = (isColor ? PNG_FORMAT_FLAG_COLOR : 0) | (hasAlpha ? PNG_FORMAT_FLAG_ALPHA : 0)
                | (is16Bit ? PNG_FORMAT_FLAG_LINEAR : 0)
        }
    }

    private static func rgb(from8Bit samples: [UInt8], layout: SampleLayout) -> [UInt8] {
        let pixelCount = samples.count / layout.channels
        if layout.channels == 3 { return samples }
        var pixels = [UInt8](repeating: 0, count: pixelCount * 3)
        for pixel in 0..<pixelCount {
            let base = pixel * layout.channels
            let alpha = layout.hasAlpha ? samples[base + layout.channels - 1] : 255
            let isGray = layout.channels < 3
            for channel in 0..<3 {
                let value = samples[base + (isGray ? 0 : channel)]
                pixels[3 * pixel + channel] = layout.hasAlpha ? PillowConversion.compositeOnWhite(value, alpha: alpha) : value
            }
        }
        return pixels
    }

    private static func rgb(from16Bit samples: [UInt16], layout: SampleLayout) -> [UInt8] {
        let pixelCount = samples.count / layout.channels
        var pixels = [UInt8](repeating: 0, count: pixelCount * 3)
        for pixel in 0..<pixelCount {
            let base = pixel * layout.channels
            let isGray = layout.channels < 3
            if layout.hasAlpha {
                // Pillow reads LA;16B and RGBA;16B as the high bytes; libpng premultiplied the colour by alpha.
                let alpha = samples[base + layout.channels - 1]
                for channel in 0..<3 {
                    let premultiplied = UInt32(samples[base + (isGray ? 0 : channel)])
                    let value = alpha == 0 ? 0 : min(65535, (premultiplied * 65535 + UInt32(alpha) / 2) / UInt32(alpha))
                    pixels[3 * pixel + channel] = PillowConversion.compositeOnWhite(
                        UInt8(value >> 8), alpha: UInt8(alpha >> 8))
                }
            } else if isGray {
                // I;16 → RGB clips: `I16_RGB` in Pillow's Convert.c.
                let value = UInt8(clamping: samples[base])
                pixels[3 * pixel] = value
                pixels[3 * pixel + 1] = value
                pixels[3 * pixel + 2] = value
            } else {
                for channel in 0..<3 { pixels[3 * pixel + channel] = UInt8(samples[base + channel] >> 8) }
            }
        }
        return pixels
    }

    /// Pillow's `convert_transparent` (`rgbT2a`): a pixel whose converted 8-bit value equals the key becomes fully
    /// transparent, which `convert_to_rgb` then composites to white.
    private static func applyColorKey(_ key: (UInt8, UInt8, UInt8), to pixels: inout [UInt8]) {
        for base in stride(from: 0, to: pixels.count, by: 3)
        where pixels[base] == key.0 && pixels[base + 1] == key.1 && pixels[base + 2] == key.2 {
            pixels[base] = 255
            pixels[base + 1] = 255
            pixels[base + 2] = 255
        }
    }
}

/// The chunk structure of a PNG file, read without decompressing anything: the header, the colour key, and the file
/// rewritten without the chunks that would make libpng deviate from Pillow.
struct PNGChunks {
    struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorType: Int
        var hasPaletteTransparency = false
    }

    /// Colour-management chunks Pillow ignores when decoding.
    static let colorManagementChunks: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM"]

    private(set) var header: Header
    /// The bytes handed to libpng.
    private(set) var stream: Data
    /// The data ended before IEND (after a whole chunk).
    private(set) var isTruncated = false
    /// The payload of a tRNS chunk of a gray or RGB image (applied by ``PNGDecoder``, not by libpng).
    private(set) var colorKeyPayload: Data?
    /// The payload of the last eXIf chunk.
    private(set) var exifPayload: Data?
    /// The bytes of all IDAT chunks: the compressed image.
    private(set) var imageDataBytes = 0

    /// Deflate codes at most 258 bytes in two bits (a 1-bit code for a 258-byte match, a 1-bit code for its
    /// distance), so IDAT data inflates to at most 1032 times its size.
    static let maximumInflationRatio = 1032

    /// The fewest IDAT bytes that can inflate to the pixels IHDR declares (their samples alone, filter bytes left
    /// out). Less than that cannot be the whole image.
    var minimumImageDataBytes: Int {
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][header.colorType] ?? 1
        let (pixels, overflow) = header.width.multipliedReportingOverflow(by: header.height)
        guard !overflow else { return Int.max }
        let (bits, bitsOverflow) = pixels.multipliedReportingOverflow(by: channels * header.bitDepth)
        return bitsOverflow ? Int.max : bits / 8 / Self.maximumInflationRatio
    }

    init(_ data: Data, source: String) throws {
        let bytes = [UInt8](data)
        func uint32(at offset: Int) -> Int {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        func corrupt(_ reason: String) -> ImageError { .corruptData(source: source, format: .png, reason: reason) }

        let signatureLength = PNGDecoder.signature.count
        guard bytes.count >= signatureLength + 8 + 13 else {
            throw ImageError.truncatedData(source: source, format: .png, reason: "the file ends inside the IHDR chunk")
        }
        guard uint32(at: signatureLength) == 13, String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR" else {
            throw corrupt("the first chunk is not a 13-byte IHDR")
        }
        header = Header(
            width: uint32(at: 16), height: uint32(at: 20), bitDepth: Int(bytes[24]), colorType: Int(bytes[25]))
        guard header.width > 0, header.height > 0, header.width <= Int(Int32.max), header.height <= Int(Int32.max) else {
            throw corrupt("IHDR declares \(header.width)×\(header.height) pixels")
        }
        guard [0, 2, 3, 4, 6].contains(header.colorType), [1, 2, 4, 8, 16].contains(header.bitDepth) else {
            throw corrupt("IHDR declares colour type \(header.colorType) with bit depth \(header.bitDepth)")
        }

        stream = Data(bytes[0..<signatureLength])
        var offset = signatureLength
        var sawEnd = false
        while offset < bytes.count {
            // A chunk that runs past the data is refused here: libpng allocates some chunks (eXIf) at their declared
            // length before reading them, and the length is up to 2 GB.
            guard offset + 12 <= bytes.count else {
                throw ImageError.truncatedData(
                    source: source, format: .png, reason: "the file ends inside the chunk header at byte \(offset)")
            }
            let length = uint32(at: offset)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            guard length <= Int(Int32.max), offset + 12 + length <= bytes.count else {
                throw ImageError.truncatedData(
                    source: source, format: .png,
                    reason: "the \(type) chunk at byte \(offset) declares \(length) bytes; \(bytes.count - offset - 8) follow")
            }
            let chunkEnd = offset + 12 + length
            if type == "IDAT" { imageDataBytes += length }
            if type == "eXIf" { exifPayload = Data(bytes[offset + 8..<offset + 8 + length]) }
            if type == "tRNS", header.colorType == 0 || header.colorType == 2 {
                colorKeyPayload = Data(bytes[offset + 8..<offset + 8 + length])
            } else if !Self.colorManagementChunks.contains(type) {
                if type == "tRNS" { header.hasPaletteTransparency = header.colorType == 3 }
                stream.append(contentsOf: bytes[offset..<chunkEnd])
            }
            offset = chunkEnd
            if type == "IEND" {
                sawEnd = true
                break
            }
        }
        isTruncated = !sawEnd
    }

    /// The colour key as Pillow applies it: the key's low byte per channel (`rgbT2a` masks with 0xff); for 1-bit
    /// gray, Pillow's `PngImagePlugin` turns any non-zero key into 255.
    func colorKey(source: String) throws -> (UInt8, UInt8, UInt8)? {
        guard let payload = colorKeyPayload.map({ [UInt8]($0) }) else { return nil }
        let isColor = header.colorType == 2
        guard payload.count >= (isColor ? 6 : 2) else {
            throw ImageError.corruptData(source: source, format: .png, reason: "truncated tRNS chunk")
        }
        if isColor { return (payload[1], payload[3], payload[5]) }
        let gray = header.bitDepth == 1 ? (payload[0] | payload[1] != 0 ? 255 : 0) : payload[1]
        return (gray, gray, gray)
    }
}
