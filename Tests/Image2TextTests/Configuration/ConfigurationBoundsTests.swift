import Foundation
import Testing
@testable import Image2Text

/// Numbers in the configuration files that ask for absurd work (a billion layers, 2³¹ frames, a billion-pixel resize,
/// …) are refused with a typed error naming the file and the key, before anything proportional to them is built.
@Suite struct ConfigurationBoundsTests {
    /// Expects `body` to throw an invalid-value (or wrong-type) error for `keyPath` of `file`, whose description names both.
    func expectRefusal(_ file: URL, _ keyPath: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("no error for \(keyPath)")
        } catch let error as ConfigurationError {
            switch error {
            case .invalidValue(file, keyPath, _), .wrongType(file, keyPath, _):
                #expect(error.description.contains(file.path) && error.description.contains("'\(keyPath)'"), "\(error)")
            default: Issue.record("unexpected \(error)")
            }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// A folder with `config.json`, written from `json`, beside `model.safetensors` of the synthetic checkpoint.
    func folder(config json: String) throws -> URL {
        let directory = try SyntheticCheckpoint.folder()
        try Data(json.utf8).write(to: directory.appendingPathComponent("config.json"))
        return directory
    }

    @Test("config.json: every count and size has a bound", arguments: [
        (#"{"num_hidden_layers": 1000000000}"#, "num_hidden_layers"),
        (#"{"num_image_with_embedding": 2147483648}"#, "num_image_with_embedding"),
        (#"{"num_image_with_embedding": 0}"#, "num_image_with_embedding"),
        (#"{"vocab_size": 1000000000000}"#, "vocab_size"),
        (#"{"hidden_size": 1099511627776, "num_attention_heads": 1}"#, "hidden_size"),
        (#"{"intermediate_size": 1000000000000}"#, "intermediate_size"),
        (#"{"num_attention_heads": 1000000000}"#, "num_attention_heads"),
        (#"{"max_position_embeddings": 1000000000000}"#, "max_position_embeddings"),
        (#"{"layer_norm_eps": -1}"#, "layer_norm_eps"),
        (#"{"pad_token_id": 1000000000000000}"#, "pad_token_id"),
        (#"{"eos_token_id": []}"#, "eos_token_id"),
        (#"{"vision_config": {"hidden_size": 1000000000, "num_attention_heads": 1}}"#, "vision_config.hidden_size"),
        (#"{"vision_config": {"intermediate_size": 1000000000000}}"#, "vision_config.intermediate_size"),
        (#"{"vision_config": {"num_hidden_layers": 1000000000}}"#, "vision_config.num_hidden_layers"),
        (#"{"vision_config": {"num_attention_heads": 1000000000}}"#, "vision_config.num_attention_heads"),
        (#"{"vision_config": {"num_channels": 1000000}}"#, "vision_config.num_channels"),
        (#"{"vision_config": {"image_size": 1000000000, "patch_size": 1}}"#, "vision_config.image_size"),
        (#"{"vision_config": {"patch_size": 1000000000}}"#, "vision_config.patch_size"),
        (#"{"vision_config": {"layer_norm_eps": 0}}"#, "vision_config.layer_norm_eps"),
    ])
    func configBounds(json: String, keyPath: String) throws {
        let directory = try folder(config: json)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        expectRefusal(file, keyPath) { _ = try GitConfig.load(from: file) }
        expectRefusal(file, keyPath) { _ = try CheckpointFolder(directory: directory) }
    }

    @Test("layer and frame counts above what the weights hold are refused before the tensor table is built", arguments: [
        ("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1000", "num_hidden_layers", "is 1000 but the weights hold 2 decoder layers"),
        ("\"num_hidden_layers\": 1,", "\"num_hidden_layers\": 900,", "vision_config.num_hidden_layers",
         "is 900 but the weights hold 1 vision layers"),
        ("\"torch_dtype\"", "\"num_image_with_embedding\": 1000, \"torch_dtype\"", "num_image_with_embedding",
         "is 1000 but the weights hold 0 temporal embeddings"),
    ])
    func countsAgainstWeights(original: String, claim: String, keyPath: String, reason: String) throws {
        let json = SyntheticCheckpoint.tinyConfigJSON.replacingOccurrences(of: original, with: claim)
        #expect(json != SyntheticCheckpoint.tinyConfigJSON)
        let directory = try folder(config: json)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        #expect(throws: ConfigurationError.invalidValue(file, keyPath: keyPath, reason: reason)) {
            try CheckpointFolder(directory: directory)
        }
    }

    @Test("a count equal to what the weights hold loads, under either spelling of the temporal embeddings")
    func countsThatMatch() throws {
        let json = SyntheticCheckpoint.tinyConfigJSON.replacingOccurrences(
            of: "\"torch_dtype\"", with: "\"num_image_with_embedding\": 3, \"torch_dtype\"")
        let directory = try SyntheticCheckpoint.folder(config: json) { tensors in
            tensors = tensors.map {
                TensorData(name: $0.name.replacingOccurrences(of: "img_temporal", with: "img_temperal"), dtype: $0.dtype,
                           shape: $0.shape, bytes: $0.bytes)
            }
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CheckpointFolder(directory: directory).config.numImageWithEmbedding == 3)
    }

    @Test("preprocessor_config.json and processor_config.json: sizes, crop sizes, rescale factor", arguments: [
        ("preprocessor_config.json", #"{"size": {"shortest_edge": 1000000000}}"#, "size.shortest_edge"),
        ("preprocessor_config.json", #"{"size": 1000000000}"#, "size"),
        ("preprocessor_config.json", #"{"size": {"height": 1000000, "width": 10}}"#, "size.height"),
        ("preprocessor_config.json", #"{"size": {"shortest_edge": 224, "longest_edge": 1000000000}}"#, "size.longest_edge"),
        ("preprocessor_config.json", #"{"size": [224, 1000000000]}"#, "size"),
        ("preprocessor_config.json", #"{"crop_size": 100000000}"#, "crop_size"),
        ("preprocessor_config.json", #"{"crop_size": {"height": 100000000, "width": 224}}"#, "crop_size.height"),
        ("preprocessor_config.json", #"{"rescale_factor": 0}"#, "rescale_factor"),
        ("preprocessor_config.json", #"{"rescale_factor": -0.5}"#, "rescale_factor"),
        ("processor_config.json", #"{"image_processor": {"crop_size": 100000000}}"#, "image_processor.crop_size"),
    ])
    func processorBounds(name: String, json: String, keyPath: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(name)
        try Data(json.utf8).write(to: file)
        expectRefusal(file, keyPath) { _ = try ImageProcessorConfiguration.load(directory: directory) }
    }

    @Test("the largest processor sizes load; a size the flags leave unused is not checked")
    func processorSizesThatLoad() throws {
        let url = URL(fileURLWithPath: "/virtual/preprocessor_config.json")
        let largest = try JSONFile.decode(ImageProcessorConfiguration.self, from: Data(#"{"size": 2048, "crop_size": 2048}"#.utf8), file: url)
        #expect(largest.size == .shortestEdge(2048) && largest.cropSize == .init(height: 2048, width: 2048))
        let unused = try JSONFile.decode(ImageProcessorConfiguration.self,
                                         from: Data(#"{"do_center_crop": false, "crop_size": 100000000}"#.utf8), file: url)
        #expect(!unused.doCenterCrop)
    }

    @Test("GITModel(imageSize:) and resized(toShortestEdge:) take one patch to 128 patches a side, at most 2048 pixels")
    func imageSizeOverride() throws {
        for size in [1_000_000_000, 1025, 7, 0, -8] {
            #expect(throws: ConfigurationError.invalidImageSize(size, reason: "this checkpoint (8-pixel patches) takes 8 to 1024 pixels")) {
                try GITModel(directory: Fixtures.tinyModel, imageSize: size)
            }
        }
        let processor = ImageProcessorConfiguration.clipDefaults
        #expect(throws: ConfigurationError.invalidImageSize(1_000_000_000, reason: "sizes must be between 1 and 2048 pixels")) {
            try processor.resized(toShortestEdge: 1_000_000_000)
        }
        #expect(throws: ConfigurationError.invalidImageSize(100_000_000, reason: "sizes must be between 1 and 2048 pixels")) {
            try processor.resized(toShortestEdge: 224, crop: .init(height: 224, width: 100_000_000))
        }
        #expect(try processor.resized(toShortestEdge: 2048).cropSize == .init(height: 2048, width: 2048))
        #expect(try GITModel(directory: Fixtures.tinyModel, imageSize: 1024).imageProcessor.configuration.cropSize.height == 1024)
    }

    /// A copy of the demo model's tokenizer files with `edit` applied to one of them.
    func tokenizerFolder(_ name: String, _ edit: (String) -> String) throws -> URL {
        let directory = try Fixtures.temporaryDirectory()
        for file in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"] {
            try FileManager.default.copyItem(at: Fixtures.tinyModel.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        let url = directory.appendingPathComponent(name)
        try Data(edit(try String(contentsOf: url, encoding: .utf8)).utf8).write(to: url)
        return directory
    }

    @Test("tokenizer files: ids past tokenizers' u32 are refused, naming the file and the key or token")
    func tokenizerIds() throws {
        let decoder = try tokenizerFolder("tokenizer_config.json") {
            $0.replacingOccurrences(of: "\"cls_token\"", with: #""added_tokens_decoder": {"4294967296": {"content": "[X]"}}, "cls_token""#)
        }
        defer { try? FileManager.default.removeItem(at: decoder) }
        expectRefusal(decoder.appendingPathComponent("tokenizer_config.json"), "added_tokens_decoder") {
            _ = try BertTokenizer(directory: decoder)
        }
        let added = try tokenizerFolder("tokenizer.json") { $0.replacingOccurrences(of: "\"id\": 0,", with: "\"id\": 1000000000000,") }
        defer { try? FileManager.default.removeItem(at: added) }
        #expect(throws: TokenizerError.invalidVocabularyEntry(added.appendingPathComponent("tokenizer.json"), token: "[PAD]",
                                                              id: 1_000_000_000_000, reason: "ids must be at most 4294967295")) {
            try BertTokenizer(directory: added)
        }
        let vocabulary = try tokenizerFolder("tokenizer.json") { $0.replacingOccurrences(of: "\"[PAD]\": 0", with: "\"[PAD]\": 1000000000000") }
        defer { try? FileManager.default.removeItem(at: vocabulary) }
        #expect(throws: TokenizerError.invalidVocabularyEntry(vocabulary.appendingPathComponent("tokenizer.json"), token: "[PAD]",
                                                              id: 1_000_000_000_000, reason: "ids must be at most 4294967295")) {
            try BertTokenizer(directory: vocabulary)
        }
    }
}
