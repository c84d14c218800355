import CTurboJPEG
import Foundation

/// Decodes JPEG with TurboJPEG the way Pillow's `JpegImagePlugin` does: accurate integer IDCT and fancy chroma
/// upsampling (libjpeg's defaults), grayscale replicated to RGB, 4-channel (CMYK/YCCK) files read as Adobe-inverted
/// CMYK and converted with Pillow's `cmyk2rgb`. EXIF orientation is ignored, as transformers ignores it (``ImageDecoder``
/// applies it when asked, from ``exifPayload(in:)``). One deliberate difference: a file whose scans are too short to
/// code its declared size (``JPEGScanLayout``) is refused as truncated before the image is allocated, where Pillow
/// keeps libjpeg's gray fill if an EOI marker follows the short data.
public struct JPEGDecoder: ImageDecoding {
    public init() {}

    public var format: ImageFormat { .jpeg }

    /// The SOI marker. Pillow also wants the next marker's 0xFF; a file with only SOI is reported as corrupt JPEG
    /// rather than as an unknown format.
    public func recognizes(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0xFF && data[data.startIndex + 1] == 0xD8
    }

    public func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int) {
        let header = try withDecompressor(source: source) { handle in try readHeader(handle, data, source: source) }
        return (header.width, header.height)
    }

    public func decode(_ data: Data, source: String) throws -> RGBImage {
        try withDecompressor(source: source) { handle in
            let header = try readHeader(handle, data, source: source)
            try checkScanDataCanFill(data, source: source)
            let isCMYK = header.colorspace == Int32(TJCS_CMYK.rawValue) || header.colorspace == Int32(TJCS_YCCK.rawValue)
            let channels = isCMYK ? 4 : 3
            let pixelFormat = isCMYK ? TJPF_CMYK : TJPF_RGB
            var samples = [UInt8](repeating: 0, count: header.width * header.height * channels)
            let status = data.withUnsafeBytes { jpeg in
                samples.withUnsafeMutableBufferPointer { output in
                    tjDecompress2(
                        handle, jpeg.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
                        output.baseAddress, Int32(header.width), 0, Int32(header.height), Int32(pixelFormat.rawValue), 0)
                }
            }
            if status != 0 {
                let message = errorMessage(handle)
                // libjpeg warns and goes on for damage it can skip (Pillow ignores those warnings too), but Pillow
                // refuses a file that ends early ("image file is truncated"); TurboJPEG reports that as a warning.
                if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) {
                    throw ImageError.corruptData(source: source, format: .jpeg, reason: message)
                }
                if message.contains("Premature end of JPEG file") {
                    throw ImageError.truncatedData(source: source, format: .jpeg, reason: message)
                }
            }
            let pixels = isCMYK ? Self.rgb(fromStoredCMYK: samples) : samples
            return RGBImage(width: header.width, height: header.height, computedPixels: pixels)
        }
    }

    /// Refuses, before the image is allocated, a file whose scans are too short to code every block of its declared
    /// size: a truncation that libjpeg reports only as a warning, or not at all when an EOI marker follows.
    private func checkScanDataCanFill(_ data: Data, source: String) throws {
        guard let layout = data.withUnsafeBytes({ JPEGScanLayout($0) }), layout.scanBytes < layout.minimumScanBytes else {
            return
        }
        throw ImageError.truncatedData(
            source: source, format: .jpeg,
            reason: "the scans hold \(layout.scanBytes) bytes; coding the \(layout.width)×\(layout.height) pixels the frame "
                + "header declares takes at least \(layout.minimumScanBytes)")
    }

    private struct Header {
        var width: Int
        var height: Int
        var colorspace: Int32
    }

    private func readHeader(_ handle: tjhandle, _ data: Data, source: String) throws -> Header {
        var width: Int32 = 0
        var height: Int32 = 0
        var subsampling: Int32 = 0
        var colorspace: Int32 = 0
        let status = data.withUnsafeBytes { jpeg in
            tjDecompressHeader3(
                handle, jpeg.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
                &width, &height, &subsampling, &colorspace)
        }
        if status != 0 {
            let message = errorMessage(handle)
            // TurboJPEG 2.1 cannot name unusual chroma sampling factors and refuses those files; Pillow reads them.
            if message.contains("Could not determine subsampling type") {
                throw ImageError.unsupportedVariant(source: source, format: .jpeg, variant: message)
            }
            throw ImageError.corruptData(source: source, format: .jpeg, reason: message)
        }
        guard width > 0, height > 0 else {
            throw ImageError.corruptData(source: source, format: .jpeg, reason: "header declares \(width)×\(height) pixels")
        }
        return Header(width: Int(width), height: Int(height), colorspace: colorspace)
    }

    private func withDecompressor<T>(source: String, _ body: (tjhandle) throws -> T) throws -> T {
        guard let handle = tjInitDecompress() else {
            throw ImageError.unsupportedVariant(source: source, format: .jpeg, variant: "TurboJPEG could not start a decoder")
        }
        defer { tjDestroy(handle) }
        return try body(handle)
    }

    private func errorMessage(_ handle: tjhandle) -> String {
        tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown TurboJPEG error"
    }

    /// Pillow reads every 4-channel JPEG with rawmode `CMYK;I` (Adobe's inverted convention), so each sample libjpeg
    /// returns is inverted before the conversion.
    private static func rgb(fromStoredCMYK samples: [UInt8]) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: samples.count / 4 * 3)
        for pixel in 0..<(samples.count / 4) {
            let (red, green, blue) = PillowConversion.rgb(
                cyan: 255 - samples[4 * pixel], magenta: 255 - samples[4 * pixel + 1],
                yellow: 255 - samples[4 * pixel + 2], black: 255 - samples[4 * pixel + 3])
            pixels[3 * pixel] = red
            pixels[3 * pixel + 1] = green
            pixels[3 * pixel + 2] = blue
        }
        return pixels
    }
}
