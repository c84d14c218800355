import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2Text
import Image2TextSupport

/// The video checkpoint folder: the shared PRNG checkpoint's weights as shard 1 (a symbolic link), the temporal
/// embeddings as shard 2 under the `git.img_temperal_embedding.K` names Hugging Face's conversion wrote (values
/// seeded by the transformers names), an index, and the small files of `Fixtures/prng-checkpoint-vatex/`.
enum VideoCheckpoint {
    static let smallFiles = Fixtures.root.appendingPathComponent("prng-checkpoint-vatex")

    private static let shared: Result<URL, any Error> = Result {
        let directory = try Fixtures.temporaryDirectory()
        let files = FileManager.default
        for name in ["config.json", "generation_config.json", "preprocessor_config.json", "tokenizer_config.json"] {
            try files.copyItem(at: smallFiles.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try files.copyItem(at: Fixtures.vocabulary, to: directory.appendingPathComponent("vocab.txt"))
        let config = try GitConfig.load(from: directory.appendingPathComponent("config.json"))
        let (baseShard, temporalShard) = ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
        try files.createSymbolicLink(at: directory.appendingPathComponent(baseShard),
                                     withDestinationURL: PRNGCheckpoint.folder().appendingPathComponent("model.safetensors"))
        let names = GitTensorNames(config: config)
        let temporal = names.temporalEmbeddings.map { tensor in
            let values = PRNGCheckpoint.values(name: tensor.name, shape: tensor.shape)
            return TensorData(name: tensor.name.replacingOccurrences(of: "temporal", with: "temperal"), dtype: .float32,
                              shape: tensor.shape, bytes: values.withUnsafeBytes { Data($0) })
        }
        try SafetensorsFile.write(temporal, to: directory.appendingPathComponent(temporalShard))
        var weightMap = [String: String]()
        for tensor in names.expected where !names.temporalEmbeddings.contains(where: { $0.name == tensor.name }) {
            weightMap[tensor.name] = baseShard
        }
        for tensor in temporal { weightMap[tensor.name] = temporalShard }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap], options: [.sortedKeys])
        try index.write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        atexit {
            if case .success(let url) = VideoCheckpoint.shared { try? FileManager.default.removeItem(at: url) }
        }
        return directory
    }

    static func folder() throws -> URL { try shared.get() }
}
