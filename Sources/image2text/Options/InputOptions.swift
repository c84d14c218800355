import ArgumentParser
import Foundation
import Image2Text

/// How `caption`, `ask` and `classify` read their inputs (expanded by ``InputExpansion``): each file is an image
/// (JPEG, PNG, GIF, WebP) or a video (any container and codec FFmpeg decodes), told apart by its content; with
/// `--video-frames`, all the files are the frames of one video.
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

    /// The inputs `arguments` stand for.
    func inputs(_ arguments: [String]) throws -> [Input] {
        let inputs = try InputExpansion.inputs(arguments)
        guard videoFrames else { return inputs }
        let paths = try inputs.map { input in
            guard case .file(let path) = input.source else {
                throw InputError(path: input.printableLabel, message: "--video-frames takes image files, not standard input or tar members")
            }
            return path
        }
        return [Input(name: Array(paths.map(\.bytes).joined(separator: Array(" ".utf8))), source: .frames(paths))]
    }

    /// Reads and encodes `input` for `model`.
    func encode(_ input: Input, model: GITModel) throws -> ImageContext {
        switch input.source {
        case .file(let path):
            // A video's frames are read as the model encodes them, so the file stays open until then.
            return try path.withFileURL { file in
                try model.encode(VisualInput.open(contentsOf: file, limits: media.limits, orientation: media.orientation), frames: frames)
            }
        case .bytes(let data):
            guard ImageDecoder.recognizes(data) else {
                throw InputError(path: input.printableLabel, message: "not a JPEG, PNG, GIF or WebP image (videos are read from files)")
            }
            return try model.encode(ImageDecoder.decode(data: data, source: input.printableLabel, limits: media.limits, orientation: media.orientation))
        case .frames(let paths):
            let count = frames ?? model.videoFrameCount ?? 1
            guard let indices = FrameSampling.indices(frameCount: paths.count, count: count) else {
                throw InputError(path: input.printableLabel, message: "\(paths.count) frame images given; the model takes \(count)")
            }
            return try model.encode(frames: indices.map { try media.decodeImage(paths[$0]) })
        }
    }
}
