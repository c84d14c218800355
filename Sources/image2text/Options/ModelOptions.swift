import ArgumentParser
import Foundation
import Image2Text

/// The checkpoint, how to compute and at what image size: the options of every subcommand that runs the model.
struct ModelOptions: ParsableArguments {
    @OptionGroup var location: ModelLocationOptions

    @OptionGroup var compute: ComputeOptions

    @OptionGroup var size: ImageSizeOption

    /// Sets the thread count and loads the model.
    func load() throws -> GITModel {
        compute.applyThreadCount()
        return try GITModel(directory: location.directory(), weightType: compute.dtype, imageSize: size.imageSize)
    }
}
