import ArgumentParser
import Foundation
import Image2Text

/// `--exif-orientation`: how image files are read, for every subcommand that decodes them.
struct MediaOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "Turn JPEG, PNG and WebP images upright from their EXIF Orientation tag, as Pillow's ImageOps.exif_transpose does.",
        discussion: "Off by default: transformers ignores EXIF orientation, so the model saw (and the goldens hold) images as stored."))
    var exifOrientation = false

    /// ``ImageOrientation/applyEXIF`` with `--exif-orientation`, else ``ImageOrientation/ignoreEXIF``.
    var orientation: ImageOrientation { exifOrientation ? .applyEXIF : .ignoreEXIF }

    /// Decodes the image file at `path` with these options.
    func decodeImage(atPath path: String) throws -> RGBImage {
        try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: path), orientation: orientation)
    }
}
