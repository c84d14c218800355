import Foundation
import FuzzSupport
import Image2Text

private enum Checkpoint {
    static let folder = ScratchFiles.subfolder("checkpoint")
}

/// The image processor settings: the input as both `processor_config.json` (read first, its `image_processor`
/// object) and `preprocessor_config.json` (read when the first has none).
func fuzzPreprocessorConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ScratchFiles.write(input, named: "processor_config.json", in: Checkpoint.folder)
    ScratchFiles.write(input, named: "preprocessor_config.json", in: Checkpoint.folder)
    ErrorOracle.expect([ConfigurationError.self], naming: Checkpoint.folder.path) {
        _ = try ImageProcessorConfiguration.load(directory: Checkpoint.folder)
    }
    return 0
}

LibFuzzer.run(fuzzPreprocessorConfig)
