import Foundation
import FuzzSupport
import Image2Text

private enum Checkpoint {
    static let folder = ScratchFiles.subfolder("checkpoint")
}

/// A tokenizer folder holding only the input as `vocab.txt` (the hub layout with default settings); a tokenizer
/// that loads encodes and decodes text.
func fuzzVocab(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ScratchFiles.write(input, named: "vocab.txt", in: Checkpoint.folder)
    ErrorOracle.expect([TokenizerError.self], naming: Checkpoint.folder.path) {
        TokenizerWorkout.run(try BertTokenizer(directory: Checkpoint.folder), sample: FuzzInput.text(input))
    }
    return 0
}

LibFuzzer.run(fuzzVocab)
