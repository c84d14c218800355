import ArgumentParser
import Foundation
import Image2Text

/// How `caption`, `ask` and `classify` read their inputs: each file is an image (JPEG, PNG, GIF, WebP) or a video (any
/// container and codec FFmpeg decodes), told apart by its content; with `--video-frames`, all the files are the frames
/// of one video.
struct InputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Frames to sample from a video (default: the checkpoint's num_image_with_embedding).",
        discussion: "Frames are spread over the whole video: indices int(i·n/(N−1)), the last clipped to n−1, as "
            + "transformers' VATEX example spaces them. Needs a video checkpoint; N from 1 to its frame count.",
        valueName: "N"))
    var frames: Int?

    @Flag(help: "Read the input images as the frames of one video, in order (a video checkpoint samples its frames from them).")
    var videoFrames = false

    @OptionGroup var media: MediaOptions

    func validate() throws {
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
    }

    /// One model input: a file, or with `--video-frames` the list of frame files.
    struct Input {
        let label: String
        let paths: [String]
    }

    /// The inputs `paths` stand for.
    func inputs(_ paths: [String]) -> [Input] {
        videoFrames ? [Input(label: paths.joined(separator: " "), paths: paths)] : paths.map { Input(label: $0, paths: [$0]) }
    }

    /// Reads and encodes `input` for `model`.
    func encode(_ input: Input, model: GITModel) throws -> ImageContext {
        guard videoFrames else {
            let file = URL(fileURLWithPath: input.paths[0])
            return try model.encode(VisualInput.open(contentsOf: file, orientation: media.orientation), frames: frames)
        }
        let count = frames ?? model.videoFrameCount ?? 1
        guard let indices = FrameSampling.indices(frameCount: input.paths.count, count: count) else {
            throw InputError(path: input.label, message: "\(input.paths.count) frame images given; the model takes \(count)")
        }
        return try model.encode(frames: indices.map { try media.decodeImage(atPath: input.paths[$0]) })
    }
}
