import CFFmpeg
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A video file read with FFmpeg (libavformat, libavcodec, libswscale): the container's best video stream, decoded
/// frame by frame in presentation order and converted to 8-bit RGB as PyAV's `frame.to_ndarray(format="rgb24")` does
/// (swscale with its bilinear flag and the frame's own colour space and range), which is how transformers' VATEX
/// example reads the frames it gives the processor.
///
/// Decoding is strict (`AV_EF_EXPLODE`): damaged data is an error rather than a concealed, silently different frame.
public struct VideoFile: Sendable {
    public let url: URL
    public let width: Int
    public let height: Int
    /// The container's declared frame count (`nb_frames`, PyAV's `stream.frames`), or the number of the stream's
    /// packets when the container does not declare one.
    public let frameCount: Int
    /// FFmpeg's name of the codec, e.g. `h264`.
    public let codec: String
    /// FFmpeg's name of the container format, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    public let container: String

    /// Opens `url` and reads its video stream's parameters; decodes nothing.
    public init(contentsOf url: URL, limits: ImageLimits = .pillowDefault) throws {
        self.url = url
        let stream = try DecodingSession(url: url)
        width = stream.width
        height = stream.height
        codec = stream.codecName
        container = stream.containerName
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > limits.maximumPixels {
            throw VideoError.tooManyPixels(source: url.path, width: width, height: height, limit: limits.maximumPixels)
        }
        frameCount = try stream.declaredFrameCount ?? stream.countPackets()
    }

    /// The frames a checkpoint with `count` frames reads (``FrameSampling``), in order.
    public func sampledFrames(count: Int) throws -> [RGBImage] {
        guard let indices = FrameSampling.indices(frameCount: frameCount, count: count) else {
            throw VideoError.tooFewFrames(source: url.path, found: frameCount, needed: count)
        }
        return try frames(at: indices)
    }

    /// The frames at `indices` (0-based positions in presentation order), in the order given; decodes the stream from
    /// its start up to the last index.
    public func frames(at indices: [Int]) throws -> [RGBImage] {
        guard let last = indices.max() else { return [] }
        if let outside = indices.first(where: { !(0..<frameCount).contains($0) }) {
            throw VideoError.frameIndexOutOfRange(source: url.path, index: outside, frameCount: frameCount)
        }
        var found: [Int: RGBImage] = [:]
        let wanted = Set(indices)
        let decoded = try DecodingSession(url: url).decodeFrames { index, frame in
            if wanted.contains(index) { found[index] = try frame.rgbImage() }
            return index < last
        }
        if found.count < wanted.count {
            throw VideoError.truncated(source: url.path, declared: frameCount, decoded: decoded)
        }
        return indices.map { found[$0]! }
    }
}

/// One pass over a file's video stream: the demuxer and decoder contexts, freed on deinit.
private final class DecodingSession {
    let source: String
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private let streamIndex: Int32
    private let stream: UnsafeMutablePointer<AVStream>

    /// FFmpeg's own log goes nowhere: every failure reaches the caller as a ``VideoError``.
    private static let silenceLog: Void = av_log_set_level(AV_LOG_QUIET)

    init(url: URL) throws {
        _ = Self.silenceLog
        source = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw VideoError.fileNotFound(source: source)
        }
        var opened: UnsafeMutablePointer<AVFormatContext>?
        var status = avformat_open_input(&opened, source, nil, nil)
        guard status >= 0, let opened else {
            guard Self.recognisesContainer(url) else { throw VideoError.notAVideo(source: source) }
            throw VideoError.unreadableFile(source: source, reason: ffmpegMessage(status))
        }
        format = opened
        // FFmpeg's still-image demuxers (`image2`, `*_pipe`) would pass any file named like an image; such a file is
        // not a video, and not an image these decoders read.
        if Self.isStillImageDemuxer(opened.pointee.iformat) {
            avformat_close_input(&format)
            throw VideoError.notAVideo(source: source)
        }
        status = avformat_find_stream_info(opened, nil)
        guard status >= 0 else {
            avformat_close_input(&format)
            throw VideoError.unreadableFile(source: source, reason: ffmpegMessage(status))
        }
        let streams = (0..<Int(opened.pointee.nb_streams)).compactMap { opened.pointee.streams[$0] }
        guard streams.contains(where: { $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO }) else {
            avformat_close_input(&format)
            throw VideoError.noVideoStream(source: source)
        }
        var codec: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(opened, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0)
        guard index >= 0, let codec else {
            let best = streams.first { $0.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO }!
            let name = String(cString: avcodec_get_name(best.pointee.codecpar.pointee.codec_id))
            avformat_close_input(&format)
            throw VideoError.unsupportedCodec(source: source, codec: name)
        }
        streamIndex = index
        stream = opened.pointee.streams[Int(index)]!
        decoder = avcodec_alloc_context3(codec)
        status = decoder.map { avcodec_parameters_to_context($0, stream.pointee.codecpar) } ?? -ENOMEM
        if status >= 0, let decoder {
            decoder.pointee.err_recognition |= AV_EF_EXPLODE
            status = avcodec_open2(decoder, codec, nil)
        }
        guard status >= 0 else {
            avcodec_free_context(&decoder)
            avformat_close_input(&format)
            throw VideoError.corruptData(source: source, reason: ffmpegMessage(status))
        }
    }

    deinit {
        avcodec_free_context(&decoder)
        avformat_close_input(&format)
    }

    /// The most FFmpeg reads to recognise a container (its largest probe).
    private static let probeSize = 1 << 20

    /// Whether FFmpeg's probe recognises a video container in the file's first bytes, as `avformat_open_input` probes
    /// them (content only, not the name): a file it cannot open but recognises is a damaged video, one it does not
    /// recognise (or takes for a still image) is not a video at all.
    private static func recognisesContainer(_ url: URL) -> Bool {
        guard let file = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? file.close() }
        guard let head = try? file.read(upToCount: probeSize), !head.isEmpty else { return false }
        var buffer = [UInt8](head) + [UInt8](repeating: 0, count: Int(AVPROBE_PADDING_SIZE))
        return buffer.withUnsafeMutableBufferPointer { bytes in
            "".withCString { noName in
                var probe = AVProbeData(
                    filename: noName, buf: bytes.baseAddress, buf_size: Int32(head.count), mime_type: nil)
                var score: Int32 = 0
                guard let demuxer = av_probe_input_format3(&probe, 1, &score) else { return false }
                return !isStillImageDemuxer(demuxer)
            }
        }
    }

    /// FFmpeg's still-image demuxers (`image2`, `*_pipe`).
    private static func isStillImageDemuxer(_ demuxer: UnsafePointer<AVInputFormat>) -> Bool {
        let name = String(cString: demuxer.pointee.name)
        return name == "image2" || name.hasSuffix("_pipe")
    }

    var width: Int { Int(stream.pointee.codecpar.pointee.width) }
    var height: Int { Int(stream.pointee.codecpar.pointee.height) }
    var codecName: String { String(cString: avcodec_get_name(stream.pointee.codecpar.pointee.codec_id)) }
    var containerName: String { format.map { String(cString: $0.pointee.iformat.pointee.name) } ?? "" }
    var declaredFrameCount: Int? { stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil }

    /// The stream's packets, counted without decoding.
    func countPackets() throws -> Int {
        var count = 0
        try readPackets { _ in
            count += 1
            return true
        }
        return count
    }

    /// Decodes frames in presentation order, calling `body(index, frame)` for each until it returns false or the
    /// stream ends; returns how many frames were decoded.
    func decodeFrames(_ body: (Int, DecodedFrame) throws -> Bool) throws -> Int {
        guard let decoder, let frame = av_frame_alloc() else { throw VideoError.corruptData(source: source, reason: "out of memory") }
        var frameSlot: UnsafeMutablePointer<AVFrame>? = frame
        defer { av_frame_free(&frameSlot) }
        let converter = RGBConverter()
        var index = 0
        var going = true
        /// Takes every frame the decoder has ready; false once `body` asked to stop.
        func drain() throws {
            while going {
                let status = avcodec_receive_frame(decoder, frame)
                if status == image2text_AVERROR(EAGAIN) || status == image2text_AVERROR_EOF() { return }
                guard status >= 0 else { throw VideoError.corruptData(source: source, reason: ffmpegMessage(status)) }
                defer { av_frame_unref(frame) }
                going = try body(index, DecodedFrame(frame: frame, converter: converter, source: source))
                index += 1
            }
        }
        try readPackets { packet in
            let status = avcodec_send_packet(decoder, packet)
            guard status >= 0 else { throw VideoError.corruptData(source: source, reason: ffmpegMessage(status)) }
            try drain()
            return going
        }
        if going {
            let status = avcodec_send_packet(decoder, nil)  // flush the frames the decoder still holds
            guard status >= 0 || status == image2text_AVERROR_EOF() else {
                throw VideoError.corruptData(source: source, reason: ffmpegMessage(status))
            }
            try drain()
        }
        return index
    }

    /// Reads the video stream's packets in file order until `body` returns false or the file ends.
    private func readPackets(_ body: (UnsafeMutablePointer<AVPacket>) throws -> Bool) throws {
        guard let format, let packet = av_packet_alloc() else { throw VideoError.corruptData(source: source, reason: "out of memory") }
        var packetSlot: UnsafeMutablePointer<AVPacket>? = packet
        defer { av_packet_free(&packetSlot) }
        while true {
            let status = av_read_frame(format, packet)
            if status == image2text_AVERROR_EOF() { return }
            guard status >= 0 else { throw VideoError.corruptData(source: source, reason: ffmpegMessage(status)) }
            defer { av_packet_unref(packet) }
            if packet.pointee.stream_index == streamIndex, try !body(packet) { return }
        }
    }
}

/// A frame the decoder returned, valid during the callback that receives it.
struct DecodedFrame {
    fileprivate let frame: UnsafeMutablePointer<AVFrame>
    fileprivate let converter: RGBConverter
    let source: String

    /// The frame as 8-bit RGB.
    func rgbImage() throws -> RGBImage {
        try converter.convert(frame, source: source)
    }
}

/// swscale set up as PyAV's `to_ndarray(format="rgb24")`: same size, `SWS_BILINEAR`, the frame's colour space
/// (BT.601 when unspecified) and range, full-range RGB out.
private final class RGBConverter {
    private var context: OpaquePointer?

    deinit { sws_freeContext(context) }

    func convert(_ frame: UnsafeMutablePointer<AVFrame>, source: String) throws -> RGBImage {
        let width = Int(frame.pointee.width), height = Int(frame.pointee.height)
        context = sws_getCachedContext(context, Int32(width), Int32(height), AVPixelFormat(frame.pointee.format),
                                       Int32(width), Int32(height), AV_PIX_FMT_RGB24, SWS_BILINEAR, nil, nil, nil)
        guard let context, width > 0, height > 0 else {
            throw VideoError.corruptData(source: source, reason: "cannot convert a \(width)×\(height) frame of pixel format "
                + "\(frame.pointee.format) to RGB")
        }
        let fullRange: Int32 = frame.pointee.color_range == AVCOL_RANGE_JPEG ? 1 : 0
        sws_setColorspaceDetails(context, sws_getCoefficients(Int32(frame.pointee.colorspace.rawValue)), fullRange,
                                 sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16)
        var scaledRows: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, initialized in
            var target: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
            var targetStrides: [Int32] = [Int32(width * 3), 0, 0, 0]
            withUnsafePointer(to: &frame.pointee.data) { planes in
                planes.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: Int(AV_NUM_DATA_POINTERS)) { planes in
                    withUnsafePointer(to: &frame.pointee.linesize) { strides in
                        strides.withMemoryRebound(to: Int32.self, capacity: Int(AV_NUM_DATA_POINTERS)) { strides in
                            scaledRows = sws_scale(context, planes, strides, 0, Int32(height), &target, &targetStrides)
                        }
                    }
                }
            }
            initialized = width * height * 3
        }
        guard scaledRows == height else {
            throw VideoError.corruptData(source: source, reason: "swscale converted \(scaledRows) of \(height) rows")
        }
        return RGBImage(width: width, height: height, computedPixels: pixels)
    }
}

/// FFmpeg's message for an error code.
private func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
