import FuzzSupport
@testable import Image2Text

private enum Demo {
    static let config = try! GitConfig.load(from: DemoModel.folder.appendingPathComponent("config.json"))
}

/// `generation_config.json` (over the demo model's `config.json`), then merged into the decoding settings of a
/// default request and its length limits, as the model does before generating.
func fuzzGenerationConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let file = ScratchFiles.write(FuzzInput.data(start, count), named: "generation_config.json")
    var loaded: GenerationConfig?
    ErrorOracle.expect([ConfigurationError.self], naming: file.path) {
        loaded = try GenerationConfig.load(from: file, modelConfig: Demo.config)
    }
    guard let config = loaded else { return 0 }
    ErrorOracle.expect([GenerationError.self]) {
        let settings = try DecodingSettings(
            options: GenerationOptions(), config: config, endOfSequence: config.eosTokenIds ?? Demo.config.eosTokenIds,
            vocabularySize: Demo.config.vocabSize)
        _ = try settings.limits(promptLength: 1, maxPositions: Demo.config.maxPositionEmbeddings)
    }
    return 0
}

LibFuzzer.run(fuzzGenerationConfig)
