/// The file names of a checkpoint folder in the Hugging Face layout: what the loader reads and what the hub client
/// fetches, named once so that the two cannot drift.
package enum CheckpointFileNames {
    package static let configuration = "config.json"
    package static let generationConfiguration = "generation_config.json"
    /// The image processor's settings in the hub's older layout.
    package static let preprocessorConfiguration = "preprocessor_config.json"
    /// What transformers 5.x's `save_pretrained` writes instead: the image processor's settings nested inside.
    package static let processorConfiguration = "processor_config.json"
    package static let tokenizer = "tokenizer.json"
    package static let tokenizerConfiguration = "tokenizer_config.json"
    package static let vocabulary = "vocab.txt"
    package static let specialTokensMap = "special_tokens_map.json"
    /// Written by transformers 4.x beside the tokenizer; the same tokens are in `tokenizer_config.json`'s
    /// `added_tokens_decoder`, which the loader reads.
    package static let addedTokens = "added_tokens.json"

    package static let safetensors = "model.safetensors"
    package static let safetensorsIndex = "model.safetensors.index.json"
    package static let pytorch = "pytorch_model.bin"
    package static let pytorchIndex = "pytorch_model.bin.index.json"

    /// The weights in the order the loader prefers them; an index names the shards that hold them.
    package static let weights = [safetensors, safetensorsIndex, pytorch, pytorchIndex]
    /// The other files, read when present.
    package static let support = [
        configuration, generationConfiguration, preprocessorConfiguration, processorConfiguration,
        tokenizer, tokenizerConfiguration, vocabulary, specialTokensMap, addedTokens,
    ]
}
