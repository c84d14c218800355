import ArgumentParser
import Foundation
import Image2Text
import Image2TextDatasets

/// `--exif-orientation` and `--max-pixels`: how image files are read, for every subcommand that decodes them.
struct MediaOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Turn JPEG, PNG and WebP images upright from their EXIF Orientation tag, as Pillow's ImageOps.exif_transpose does.",
        discussion: "Off by default: transformers ignores EXIF orientation, so the model saw (and the goldens hold) images as "
            + "stored. A TIFF is always turned upright from its Orientation tag, as Pillow turns it when it opens it."))
    var exifOrientation = false

    @Option(name: .long, help: ArgumentHelp(
        "Largest image or video frame, in pixels, checked before decoding (by default Pillow's limit).",
        discussion: "A decoded image takes 3 bytes per pixel and decoding up to 4 more, whatever the file's size: a few "
            + "bytes of GIF, WebP or run-length BMP may describe a whole canvas. Lower the limit to bound the memory one "
            + "input can take.",
        valueName: "N"))
    var maxPixels = ImageLimits.pillowDefault.maximumPixels

    func validate() throws {
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
    }

    /// ``ImageOrientation/applyEXIF`` with `--exif-orientation`, else ``ImageOrientation/ignoreEXIF``.
    var orientation: ImageOrientation { exifOrientation ? .applyEXIF : .ignoreEXIF }

    var limits: ImageLimits { ImageLimits(maximumPixels: maxPixels) }

    /// Decodes the image file at `path` with these options.
    func decodeImage(_ path: InputPath) throws -> RGBImage {
        try path.withFileURL { try ImageDecoder.decode(contentsOf: $0, limits: limits, orientation: orientation) }
    }
}
