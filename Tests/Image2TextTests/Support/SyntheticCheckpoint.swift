import Foundation
@testable import Image2Text

/// Small, complete checkpoint folders for loader tests: a tiny GIT configuration and zero-filled tensors of exactly
/// the shapes it needs, which a test can then damage one way at a time.
enum SyntheticCheckpoint {
    static let tinyConfigJSON = """
        {"model_type": "git", "vocab_size": 40, "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2,
         "intermediate_size": 16, "max_position_embeddings": 12, "pad_token_id": 0, "bos_token_id": 2,
         "eos_token_id": 3, "torch_dtype": "float32",
         "vision_config": {"hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                           "image_size": 8, "patch_size": 4}}
        """

    static func tensors(for configJSON: String, dtype: TensorDType = .float32) throws -> [TensorData] {
        let config = try JSONDecoder().decode(GitConfig.self, from: Data(configJSON.utf8))
        return GitTensorNames(config: config).expected.map {
            TensorData(name: $0.name, dtype: dtype, shape: $0.shape,
                       bytes: Data(count: $0.shape.reduce(dtype.byteSize, *)))
        }
    }

    /// Writes `config.json` and `model.safetensors` (after `edit` has changed the tensor list) into a new folder.
    static func folder(config: String = tinyConfigJSON, edit: (inout [TensorData]) -> Void = { _ in }) throws -> URL {
        let directory = try Fixtures.temporaryDirectory()
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        var tensors = try tensors(for: config)
        edit(&tensors)
        try SafetensorsFile.write(tensors, to: directory.appendingPathComponent("model.safetensors"))
        return directory
    }
}
