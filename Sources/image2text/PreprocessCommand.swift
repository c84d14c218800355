import ArgumentParser
import Foundation
import Image2Text
import Image2TextDatasets
import Image2TextSupport

/// `image2text preprocess`: the pixel values the model would see, as transformers 5.23's CLIPImageProcessor (PIL
/// backend) computes them, written as a float32 `.npy` file.
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Write an image's pixel values to a .npy file.",
        discussion: """
            Decodes the JPEG, PNG, GIF, WebP, BMP or TIFF (the first frame or page), resizes, crops, rescales and \
            normalizes it with the checkpoint's processor settings (processor_config.json or \
            preprocessor_config.json; --image-size overrides the size), writes float32 [3, H, W] to FILE.npy and \
            prints the shape and the SHA-256 of the little-endian float32 values. --output - writes the .npy to \
            standard output, and the shape and SHA-256 to standard error.

            Examples:
              image2text preprocess Fixtures/images/chelsea.png --output chelsea.npy
              image2text preprocess --image-size 480 Fixtures/images/rocket.jpg \\
                --output rocket-480.npy
              image2text preprocess --exif-orientation \\
                Fixtures/images/exif/orientation_6.jpg --output upright.npy
            """)

    @OptionGroup var location: ModelLocationOptions

    @OptionGroup var size: ImageSizeOption

    @OptionGroup var mediaOptions: MediaOptions

    @Option(name: [.long, .short], help: ArgumentHelp("Where to write the pixel values (- for standard output).", valueName: "FILE.npy"))
    var output: String

    @Argument(help: ArgumentHelp("A JPEG, PNG, GIF, WebP, BMP or TIFF file.", valueName: "IMAGE"))
    var image: String

    func run() throws {
        let configuration = try size.imageProcessorConfiguration(directory: location.directory())
        let image = try mediaOptions.decodeImage(InputPath.commandLine([self.image])[0])
        let pixelValues: PixelValues
        do {
            pixelValues = try CLIPImageProcessor(configuration: configuration).preprocess(image)
        } catch let error as PreprocessError {
            throw FileError(path: self.image, message: error.description)
        }
        guard let file = NPYFile(shape: pixelValues.shape, values: pixelValues.values) else {
            throw FileError(path: output, message: "pixel values do not match their shape \(pixelValues.shape)")
        }
        let shape = pixelValues.shape.map(String.init).joined(separator: ", ")
        let summary = "shape [\(shape)] sha256 \(pixelValues.sha256) → \(output)"
        if output == "-" {
            FileHandle.standardOutput.write(file.data)
            FileHandle.standardError.write(Data((summary + "\n").utf8))
            return
        }
        do {
            try file.write(to: URL(fileURLWithPath: output))
        } catch {
            throw FileError(path: output, message: "cannot write the file: \(error.localizedDescription)")
        }
        print(summary)
    }

    /// A one-line error naming the file, printed by ArgumentParser as "Error: …".
    struct FileError: Error, CustomStringConvertible {
        let path: String
        let message: String

        var description: String { "\(path): \(message)" }
    }
}
