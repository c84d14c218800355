import FuzzSupport
import Image2Text

/// `config.json`: decoded and validated as a checkpoint folder reads it.
func fuzzConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let file = ScratchFiles.write(FuzzInput.data(start, count), named: "config.json")
    ErrorOracle.expect([ConfigurationError.self], naming: file.path) {
        let config = try GitConfig.load(from: file)
        precondition(config.hiddenSize % config.numAttentionHeads == 0 && config.visionConfig.patchesPerSide > 0)
    }
    return 0
}

LibFuzzer.run(fuzzConfig)
