import CWebP
import Foundation

/// Decodes WebP with libwebp exactly as Pillow 13's `WebPImagePlugin` does: every file, still or animated, goes
/// through `WebPAnimDecoder` with its default options (non-premultiplied RGBA, the canvas cleared to transparent
/// black) and the first frame is kept. Pillow calls the image RGBA when `WebPGetFeatures` reports alpha and RGB
/// (the canvas read as RGBX) otherwise; `convert_to_rgb` then composites RGBA on white. So an animation without the
/// alpha flag shows black where its first frame does not cover the canvas, and one with the flag shows white.
///
/// Lossy and lossless pixels from Debian's libwebp 1.2.4 equal those of Pillow's bundled libwebp 1.6.0 on every fixture
/// and on 40 lossy encodings of photographs (quality 10–100, with and without alpha) checked while writing this.
public struct WebPDecoder: ImageDecoding {
    public init() {}

    public var format: ImageFormat { .webp }

    /// Pillow's test: `RIFF`, then `WEBP` at byte 8 and a `VP8 `, `VP8L` or `VP8X` chunk at byte 12.
    public func recognizes(_ data: Data) -> Bool {
        let bytes = data.prefix(16)
        return bytes.count == 16 && bytes.starts(with: Array("RIFF".utf8))
            && bytes.dropFirst(8).starts(with: Array("WEBP".utf8))
            && ["VP8 ", "VP8L", "VP8X"].contains(String(decoding: bytes.dropFirst(12), as: UTF8.self))
    }

    /// The canvas size, from the demuxer (which reads the chunk headers, not the pixels).
    public func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int) {
        try withDemuxer(data, source: source) { demuxer in
            (Int(WebPDemuxGetI(demuxer, WEBP_FF_CANVAS_WIDTH)), Int(WebPDemuxGetI(demuxer, WEBP_FF_CANVAS_HEIGHT)))
        }
    }

    public func decode(_ data: Data, source: String) throws -> RGBImage {
        try data.withUnsafeBytes { (file: UnsafeRawBufferPointer) throws -> RGBImage in
            let bytes = file.bindMemory(to: UInt8.self)
            var features = WebPBitstreamFeatures()
            // Pillow's mode sniffing: RGBA unless the features are read and say there is no alpha.
            let hasAlpha = WebPGetFeatures(bytes.baseAddress, bytes.count, &features) != VP8_STATUS_OK || features.has_alpha != 0
            var webpData = WebPData(bytes: bytes.baseAddress, size: bytes.count)
            guard let decoder = WebPAnimDecoderNew(&webpData, nil) else { throw failure(data, source: source) }
            defer { WebPAnimDecoderDelete(decoder) }
            var info = WebPAnimInfo()
            var canvas: UnsafeMutablePointer<UInt8>?
            var timestamp: Int32 = 0
            guard WebPAnimDecoderGetInfo(decoder, &info) != 0, WebPAnimDecoderGetNext(decoder, &canvas, &timestamp) != 0,
                let canvas, info.canvas_width > 0, info.canvas_height > 0
            else {
                throw ImageError.corruptData(source: source, format: .webp, reason: "libwebp could not decode the first frame")
            }
            let (width, height) = (Int(info.canvas_width), Int(info.canvas_height))
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            for pixel in 0..<(width * height) {
                let alpha = canvas[4 * pixel + 3]
                for channel in 0..<3 {
                    let value = canvas[4 * pixel + channel]
                    pixels[3 * pixel + channel] = hasAlpha ? PillowConversion.compositeOnWhite(value, alpha: alpha) : value
                }
            }
            return RGBImage(width: width, height: height, computedPixels: pixels)
        }
    }

    /// The payload of the `EXIF` chunk, found with the demuxer as Pillow finds it.
    public func exifPayload(in data: Data) -> Data? {
        try? withDemuxer(data, source: "") { demuxer in
            var chunk = WebPChunkIterator()
            guard WebPDemuxGetChunk(demuxer, "EXIF", 1, &chunk) != 0 else { return nil }
            defer { WebPDemuxReleaseChunkIterator(&chunk) }
            return Data(UnsafeBufferPointer(start: chunk.chunk.bytes, count: chunk.chunk.size))
        }
    }

    private func withDemuxer<T>(_ data: Data, source: String, _ body: (OpaquePointer) throws -> T) throws -> T {
        try data.withUnsafeBytes { file in
            var webpData = WebPData(bytes: file.bindMemory(to: UInt8.self).baseAddress, size: file.count)
            guard let demuxer = WebPDemux(&webpData) else { throw failure(data, source: source) }
            defer { WebPDemuxDelete(demuxer) }
            return try body(demuxer)
        }
    }

    /// libwebp refused the container: truncated if the file is shorter than its RIFF header says, else corrupt.
    private func failure(_ data: Data, source: String) -> ImageError {
        let declared = data.dropFirst(4).prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) } + 8
        if data.count < declared {
            return .truncatedData(
                source: source, format: .webp, reason: "the RIFF header declares \(declared) bytes, the file has \(data.count)")
        }
        return .corruptData(source: source, format: .webp, reason: "libwebp cannot parse the file")
    }
}
