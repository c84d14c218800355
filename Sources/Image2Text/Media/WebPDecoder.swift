import CWebP
import Foundation

/// Decodes WebP with libwebp exactly as Pillow 13's `WebPImagePlugin` does: every file, still or animated, goes
/// through `WebPAnimDecoder` with its default options, whose first frame is the frame decoded with `WebPDecode` as
/// non-premultiplied RGBA onto a canvas cleared to transparent black. Pillow calls the image RGBA when
/// `WebPGetFeatures` reports alpha and RGB (the canvas read as RGBX) otherwise; `convert_to_rgb` then composites RGBA on
/// white. So an animation without the alpha flag shows black where its first frame does not cover the canvas, and one
/// with the flag shows white.
///
/// The first frame is decoded here the same way, but without the animation decoder's two full RGBA canvases: the
/// frame is decoded straight into the RGB image (no alpha flag) or into an RGBA buffer of its own size, and memory
/// is touched only as far as the decoder gets through the data.
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
        // Pillow's mode sniffing: RGBA unless the features are read and say there is no alpha.
        var features = WebPBitstreamFeatures()
        let hasAlpha = data.withUnsafeBytes { file in
            WebPGetFeatures(file.bindMemory(to: UInt8.self).baseAddress, file.count, &features) != VP8_STATUS_OK
        } || features.has_alpha != 0
        return try withDemuxer(data, source: source) { demuxer in
            let (width, height) = (Int(WebPDemuxGetI(demuxer, WEBP_FF_CANVAS_WIDTH)), Int(WebPDemuxGetI(demuxer, WEBP_FF_CANVAS_HEIGHT)))
            var frame = WebPIterator()
            guard WebPDemuxGetFrame(demuxer, 1, &frame) != 0 else {
                throw ImageError.corruptData(source: source, format: .webp, reason: "the file holds no frame")
            }
            defer { WebPDemuxReleaseIterator(&frame) }
            let (x, y, frameWidth, frameHeight) = (Int(frame.x_offset), Int(frame.y_offset), Int(frame.width), Int(frame.height))
            guard width > 0, height > 0, frameWidth > 0, frameHeight > 0, x >= 0, y >= 0,
                x + frameWidth <= width, y + frameHeight <= height
            else {
                throw ImageError.corruptData(
                    source: source, format: .webp,
                    reason: "a \(frameWidth)×\(frameHeight) frame at (\(x), \(y)) on a \(width)×\(height) canvas")
            }
            let pixels = try [UInt8](unsafeUninitializedCapacity: width * height * 3) { canvas, count in
                // Transparent black around the frame: white once composited on white, black when read as RGBX.
                let background: UInt8 = hasAlpha ? 255 : 0
                let rowBytes = width * 3
                canvas[..<(y * rowBytes)].update(repeating: background)
                canvas[((y + frameHeight) * rowBytes)...].update(repeating: background)
                for row in y..<(y + frameHeight) {
                    canvas[(row * rowBytes)..<(row * rowBytes + x * 3)].update(repeating: background)
                    canvas[(row * rowBytes + (x + frameWidth) * 3)..<((row + 1) * rowBytes)].update(repeating: background)
                }
                let frameStart = canvas.baseAddress! + y * rowBytes + x * 3
                if hasAlpha {
                    let rgba = try [UInt8](unsafeUninitializedCapacity: frameWidth * frameHeight * 4) { buffer, decoded in
                        try Self.decodeFrame(frame.fragment, mode: MODE_RGBA, into: buffer.baseAddress!, stride: frameWidth * 4,
                                             size: buffer.count, source: source)
                        decoded = buffer.count
                    }
                    for row in 0..<frameHeight {
                        for column in 0..<frameWidth {
                            let (from, to) = (4 * (row * frameWidth + column), row * rowBytes + 3 * column)
                            for channel in 0..<3 {
                                frameStart[to + channel] = PillowConversion.compositeOnWhite(rgba[from + channel], alpha: rgba[from + 3])
                            }
                        }
                    }
                } else {
                    try Self.decodeFrame(frame.fragment, mode: MODE_RGB, into: frameStart, stride: rowBytes,
                                         size: (frameHeight - 1) * rowBytes + frameWidth * 3, source: source)
                }
                count = width * height * 3
            }
            return RGBImage(width: width, height: height, computedPixels: pixels)
        }
    }

    /// `WebPDecode` of one frame's bitstream into `output` (rows `stride` bytes apart), with the animation decoder's
    /// configuration: libwebp's defaults, caller's memory.
    private static func decodeFrame(
        _ fragment: WebPData, mode: WEBP_CSP_MODE, into output: UnsafeMutablePointer<UInt8>, stride: Int, size: Int,
        source: String
    ) throws {
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw ImageError.unsupportedVariant(source: source, format: .webp, variant: "libwebp could not start a decoder")
        }
        defer { WebPFreeDecBuffer(&config.output) }
        config.output.colorspace = mode
        config.output.is_external_memory = 1
        config.output.u.RGBA.rgba = output
        config.output.u.RGBA.stride = Int32(stride)
        config.output.u.RGBA.size = size
        let status = WebPDecode(fragment.bytes, fragment.size, &config)
        switch status {
        case VP8_STATUS_OK: return
        case VP8_STATUS_NOT_ENOUGH_DATA:
            throw ImageError.truncatedData(source: source, format: .webp, reason: "the first frame's data ends before its last pixel")
        default:
            throw ImageError.corruptData(source: source, format: .webp, reason: "libwebp could not decode the first frame (status \(status.rawValue))")
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
