import Foundation

/// What a model looks at: one image, or a video whose frames are decoded when the model encodes it.
public enum VisualInput: Sendable {
    case image(RGBImage)
    case video(VideoFile)

    /// Opens `url` as an image when its first bytes are an image format's signature (``ImageDecoder``), else as a video
    /// through FFmpeg. The file name plays no part. An animated GIF or WebP is an image: its first frame, as Pillow
    /// opens it for transformers.
    public static func open(
        contentsOf url: URL, limits: ImageLimits = .pillowDefault, orientation: ImageOrientation = .ignoreEXIF
    ) throws -> VisualInput {
        if let head = leadingBytes(of: url), !head.isEmpty, !ImageDecoder.recognizes(head) {
            return .video(try VideoFile(contentsOf: url, limits: limits))
        }
        // An image, or a file that cannot be read at all: the image decoder names the problem.
        return .image(try ImageDecoder.decode(contentsOf: url, limits: limits, orientation: orientation))
    }

    /// The first bytes of the file, enough for every image signature; nil when it cannot be read.
    private static func leadingBytes(of url: URL) -> Data? {
        guard let file = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? file.close() }
        return try? file.read(upToCount: 64)
    }
}

extension GITModel {
    /// Encodes an image, or `frames` frames of a video (default: the checkpoint's ``videoFrameCount``). An image given
    /// to a video checkpoint is encoded as transformers does for 4-D pixel values: one frame, no temporal embedding.
    public func encode(_ input: VisualInput, frames: Int? = nil) throws -> ImageContext {
        switch input {
        case .image(let image): try encode(image)
        case .video(let video): try encode(video: video, frames: frames)
        }
    }
}
