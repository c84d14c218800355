import ArgumentParser
import Foundation
import Image2Text
import Image2TextDatasets

/// How `caption`, `ask` and `classify` read their inputs (expanded by ``InputExpansion``): each file is an image
/// (JPEG, PNG, GIF, WebP, BMP, TIFF) or a video (any container and codec FFmpeg decodes), told apart by its content;
/// with `--video-frames`, all the files are the frames of one video.
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

    /// `--video-frames`: the files of `entries` as the frames of one input, keyed by their keys joined by spaces.
    func videoFrames(_ entries: [InputEntry]) throws -> DatasetInput {
        let paths = try entries.map { entry in
            guard case .file(let path) = entry.kind else {
                throw InputError(path: entry.printableName, message: "--video-frames takes image files, not standard input or shards")
            }
            return path
        }
        return DatasetInput(key: entries.map(\.key).joined(separator: " "), name: Array(paths.map(\.bytes).joined(separator: Array(" ".utf8))),
                            source: .frames(paths))
    }

    /// How the library reads the inputs: `--frames`, `--max-pixels`, `--exif-orientation`.
    var reader: VisualReader { VisualReader(limits: media.limits, orientation: media.orientation, frames: frames) }

    /// `input` with one task per question, as a group of the library's ``TaskRunner``, read when its batch runs.
    func group(_ input: DatasetInput, tasks: [TaskItem.Task], model: GITModel) -> TaskGroup {
        let reader = reader
        return TaskGroup(name: input.label, tasks: tasks) { try Self.read(input, reader: reader, model: model) }
    }

    /// Reads `input` for `model`; errors name it by its printable label.
    static func read(_ input: DatasetInput, reader: VisualReader, model: GITModel) throws -> VisualInput {
        switch input.source {
        case .file(let path):
            return try path.withFileURL { try reader.read(.file($0), for: model) }
        case .bytes(let data):
            return try reader.read(.bytes(data, name: input.printableLabel), for: model)
        case .frames(let paths):
            // A name that is not UTF-8 has no URL past `withFileURL`: its bytes are read instead.
            let frames = try paths.map { path -> VisualSource in
                if let string = path.string { return .file(URL(fileURLWithPath: string)) }
                return .bytes(try path.withFileURL { try Data(contentsOf: $0) }, name: path.printable)
            }
            return try reader.read(.frames(frames), for: model)
        }
    }
}
