import Foundation

/// Turns a ``VisualSource`` into the ``VisualInput`` a model encodes, the same way for every front end: content that
/// starts with an image signature is an image (an animated GIF or WebP is its first frame, as Pillow opens it), other
/// content a video read by FFmpeg; content that is neither is refused with the image decoder's unknown-format error,
/// never FFmpeg's. The file name plays no part.
public struct VisualReader: Sendable {
    public var limits: ImageLimits
    public var orientation: ImageOrientation
    /// Frames to sample from a video or a list of frames (default: the model's ``GITModel/videoFrameCount``).
    public var frames: Int?

    public init(limits: ImageLimits = .pillowDefault, orientation: ImageOrientation = .ignoreEXIF, frames: Int? = nil) {
        self.limits = limits
        self.orientation = orientation
        self.frames = frames
    }

    /// Reads `source` for `model`, decoding a video's frames here: `frames` of them (default: the model's
    /// ``GITModel/videoFrameCount``), checked against what the model takes before any is decoded. Video bytes are
    /// read by FFmpeg from a temporary file, removed before this returns. Bytes that are not an image are read as a
    /// video only by a video checkpoint; otherwise the image decoder names the format.
    public func read(_ source: VisualSource, for model: GITModel) throws -> VisualInput {
        switch source {
        case .file(let url):
            if let head = Self.leadingBytes(of: url), !head.isEmpty, !ImageDecoder.recognizes(head) {
                do {
                    return .frames(try videoFrames(VideoFile(contentsOf: url, limits: limits), for: model))
                } catch VideoError.notAVideo {
                    throw ImageError.unknownFormat(source: url.path, startingWith: head)
                }
            }
            // An image, or a file that cannot be read at all: the image decoder names the problem.
            return .image(try ImageDecoder.decode(contentsOf: url, limits: limits, orientation: orientation))
        case .bytes(let data, let name):
            guard !ImageDecoder.recognizes(data), model.videoFrameCount != nil else {
                return .image(try ImageDecoder.decode(data: data, source: name, limits: limits, orientation: orientation))
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("image2text-video-\(UUID().uuidString)")
            try data.write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            do {
                return .frames(try videoFrames(VideoFile(contentsOf: file, limits: limits), for: model))
            } catch VideoError.notAVideo {
                throw ImageError.unknownFormat(source: name, startingWith: data)
            } catch let error as VideoError {
                throw error.renamingSource(file.path, to: name)
            }
        case .frames(let sources):
            let count = frames ?? model.videoFrameCount ?? 1
            guard let indices = FrameSampling.indices(frameCount: sources.count, count: count) else {
                throw VideoError.tooFewFrameImages(source: source.name, given: sources.count, needed: count)
            }
            return .frames(try indices.map { try image(sources[$0]) })
        }
    }

    /// The frames of `video` the model reads (``FrameSampling``).
    private func videoFrames(_ video: VideoFile, for model: GITModel) throws -> [RGBImage] {
        let count = frames ?? model.videoFrameCount ?? 1
        try model.checkFrameCount(count)
        return try video.sampledFrames(count: count)
    }

    /// One frame of a list: an image file or image bytes.
    private func image(_ source: VisualSource) throws -> RGBImage {
        switch source {
        case .file(let url): try ImageDecoder.decode(contentsOf: url, limits: limits, orientation: orientation)
        case .bytes(let data, let name): try ImageDecoder.decode(data: data, source: name, limits: limits, orientation: orientation)
        case .frames(let frames): throw VideoError.unreadableFile(source: source.name, reason: "a frame is an image, not \(frames.count) frames")
        }
    }

    /// The first bytes of the file, enough for every image signature; nil when it cannot be read.
    private static func leadingBytes(of url: URL) -> Data? {
        guard let file = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? file.close() }
        return try? file.read(upToCount: 64)
    }
}
