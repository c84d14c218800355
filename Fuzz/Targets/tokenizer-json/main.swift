import Foundation
import FuzzSupport
import Image2Text

private enum Checkpoint {
    static let folder = ScratchFiles.subfolder("checkpoint")
}

/// A tokenizer folder holding only the input as `tokenizer.json` (vocabulary and added tokens); a tokenizer that
/// loads encodes and decodes text.
func fuzzTokenizerJSON(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ScratchFiles.write(input, named: "tokenizer.json", in: Checkpoint.folder)
    ErrorOracle.expect([TokenizerError.self, ConfigurationError.self], naming: Checkpoint.folder.path) {
        TokenizerWorkout.run(try BertTokenizer(directory: Checkpoint.folder), sample: FuzzInput.text(input))
    }
    return 0
}

LibFuzzer.run(fuzzTokenizerJSON)
