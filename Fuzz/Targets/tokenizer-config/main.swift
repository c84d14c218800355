import Foundation
import FuzzSupport
import Image2Text

private enum Checkpoint {
    static let folder: URL = {
        let folder = ScratchFiles.subfolder("checkpoint")
        for name in ["vocab.txt", "special_tokens_map.json"] { ScratchFiles.write(DemoModel.file(name), named: name, in: folder) }
        return folder
    }()
}

/// The input as `tokenizer_config.json` next to the demo model's `vocab.txt` and `special_tokens_map.json`; a
/// tokenizer that loads encodes and decodes text.
func fuzzTokenizerConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ScratchFiles.write(input, named: "tokenizer_config.json", in: Checkpoint.folder)
    ErrorOracle.expect([TokenizerError.self, ConfigurationError.self], naming: Checkpoint.folder.path) {
        TokenizerWorkout.run(try BertTokenizer(directory: Checkpoint.folder), sample: FuzzInput.text(input))
    }
    return 0
}

LibFuzzer.run(fuzzTokenizerConfig)
