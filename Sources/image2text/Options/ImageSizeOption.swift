import ArgumentParser
import Foundation
import Image2Text

/// `--image-size N`: the resolution the images are brought to, when not the checkpoint's own.
struct ImageSizeOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Resize the shortest edge to N pixels and centre-crop N×N (default: the checkpoint's processor settings).",
        discussion: "A size other than the checkpoint's vision_config.image_size interpolates the position embeddings "
            + "(bicubic), as transformers does with interpolate_pos_encoding=True.",
        valueName: "N"))
    var imageSize: Int?

    func validate() throws {
        if let imageSize, imageSize < 1 { throw ValidationError("--image-size must be at least 1") }
    }

    /// The image-processor settings of the checkpoint in `directory`, resized if `--image-size` is given.
    func imageProcessorConfiguration(directory: URL) throws -> ImageProcessorConfiguration {
        let configuration = try ImageProcessorConfiguration.load(directory: directory)
        return try imageSize.map { try configuration.resized(toShortestEdge: $0) } ?? configuration
    }
}
