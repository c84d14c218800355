/// A video file that cannot be read, or cannot give the frames asked for. Every case names the file.
public enum VideoError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(source: String)
    /// FFmpeg recognises no video container in the file (nor anything but a still image): it is not a video.
    case notAVideo(source: String)
    /// FFmpeg recognises the container but cannot open it; `reason` is FFmpeg's message.
    case unreadableFile(source: String, reason: String)
    /// The container has no video stream (an audio file, say).
    case noVideoStream(source: String)
    /// The video stream's codec has no decoder in this FFmpeg build.
    case unsupportedCodec(source: String, codec: String)
    /// The demuxer or decoder stopped on damaged data; `reason` is FFmpeg's message.
    case corruptData(source: String, reason: String)
    /// The stream ended before a frame it declares: `decoded` frames out of the `declared` count.
    case truncated(source: String, declared: Int, decoded: Int)
    /// Fewer frames than the checkpoint needs: sampling takes `needed` distinct frames (the rule of ``FrameSampling``).
    case tooFewFrames(source: String, found: Int, needed: Int)
    /// A frame index outside `0..<frameCount`.
    case frameIndexOutOfRange(source: String, index: Int, frameCount: Int)
    /// A frame larger than the image pixel limit.
    case tooManyPixels(source: String, width: Int, height: Int, limit: Int)
    /// Frames given as images (`source` names them all): fewer than the `needed` distinct frames sampling takes.
    case tooFewFrameImages(source: String, given: Int, needed: Int)

    public var description: String {
        switch self {
        case .fileNotFound(let source): "\(source): file not found"
        case .notAVideo(let source): "\(source): not a video (FFmpeg recognises no video container in it)"
        case .unreadableFile(let source, let reason): "\(source): not a readable image or video: \(reason)"
        case .noVideoStream(let source): "\(source): the file has no video stream"
        case .unsupportedCodec(let source, let codec): "\(source): no decoder for the video codec \(codec)"
        case .corruptData(let source, let reason): "\(source): corrupt video data: \(reason)"
        case .truncated(let source, let declared, let decoded):
            "\(source): truncated video: the container declares \(declared) frames but only \(decoded) could be decoded"
        case .tooFewFrames(let source, let found, let needed):
            "\(source): the video has \(found) frames; the model takes \(needed) distinct frames (use --frames to take fewer)"
        case .frameIndexOutOfRange(let source, let index, let frameCount):
            "\(source): there is no frame \(index): the video has \(frameCount) frames (0 to \(frameCount - 1))"
        case .tooManyPixels(let source, let width, let height, let limit):
            "\(source): \(width)×\(height) = \(width * height) pixels per frame exceeds the limit of \(limit) pixels"
        case .tooFewFrameImages(let source, let given, let needed): "\(source): \(given) frame images given; the model takes \(needed)"
        }
    }

    /// The file the error names.
    public var source: String {
        switch self {
        case .fileNotFound(let source), .notAVideo(let source), .unreadableFile(let source, _), .noVideoStream(let source),
             .unsupportedCodec(let source, _), .corruptData(let source, _), .truncated(let source, _, _),
             .tooFewFrames(let source, _, _), .frameIndexOutOfRange(let source, _, _), .tooManyPixels(let source, _, _, _),
             .tooFewFrameImages(let source, _, _):
            source
        }
    }

    /// The same error naming `name` instead of the file `path` (a temporary copy of bytes known by that name).
    func renamingSource(_ path: String, to name: String) -> VideoError {
        func renamed(_ source: String) -> String { source == path ? name : source }
        return switch self {
        case .fileNotFound(let source): .fileNotFound(source: renamed(source))
        case .notAVideo(let source): .notAVideo(source: renamed(source))
        case .unreadableFile(let source, let reason): .unreadableFile(source: renamed(source), reason: reason)
        case .noVideoStream(let source): .noVideoStream(source: renamed(source))
        case .unsupportedCodec(let source, let codec): .unsupportedCodec(source: renamed(source), codec: codec)
        case .corruptData(let source, let reason): .corruptData(source: renamed(source), reason: reason)
        case .truncated(let source, let declared, let decoded): .truncated(source: renamed(source), declared: declared, decoded: decoded)
        case .tooFewFrames(let source, let found, let needed): .tooFewFrames(source: renamed(source), found: found, needed: needed)
        case .frameIndexOutOfRange(let source, let index, let count):
            .frameIndexOutOfRange(source: renamed(source), index: index, frameCount: count)
        case .tooManyPixels(let source, let width, let height, let limit):
            .tooManyPixels(source: renamed(source), width: width, height: height, limit: limit)
        case .tooFewFrameImages(let source, let given, let needed): .tooFewFrameImages(source: renamed(source), given: given, needed: needed)
        }
    }
}
