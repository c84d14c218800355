import Foundation
import Image2Text

/// A video checkpoint made from the bundled demo model: its folder with six temporal embeddings
/// (`num_image_with_embedding` = 6) added in a second safetensors shard, under the `temperal` spelling the hub's
/// video checkpoints use.
public enum DemoVideoCheckpoint {
    /// Writes one to a new temporary folder and returns the folder; the caller removes it.
    public static func make() throws -> URL {
        let files = FileManager.default
        let demo = Repository.demoModel
        let directory = files.temporaryDirectory.appendingPathComponent("image2text-video-\(UUID().uuidString)")
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        let (baseShard, temporalShard) = ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
        for file in try files.contentsOfDirectory(atPath: demo.path) where file != "config.json" {
            try files.copyItem(at: demo.appendingPathComponent(file),
                               to: directory.appendingPathComponent(file == "model.safetensors" ? baseShard : file))
        }
        guard var config = try JSONSerialization.jsonObject(with: Data(contentsOf: demo.appendingPathComponent("config.json"))) as? [String: Any],
              let hidden = (config["vision_config"] as? [String: Any])?["hidden_size"] as? Int
        else { throw CocoaError(.fileReadCorruptFile) }
        config["num_image_with_embedding"] = 6
        try JSONSerialization.data(withJSONObject: config).write(to: directory.appendingPathComponent("config.json"))
        let temporal = (0..<6).map { frame in
            let values = (0..<hidden).map { Float(sin(Double(frame * hidden + $0))) * 0.5 }
            return TensorData(name: "git.img_temperal_embedding.\(frame)", dtype: .float32, shape: [1, 1, hidden],
                              bytes: values.withUnsafeBytes { Data($0) })
        }
        try SafetensorsFile.write(temporal, to: directory.appendingPathComponent(temporalShard))
        let base = try SafetensorsFile(contentsOf: directory.appendingPathComponent(baseShard))
        var weightMap = Dictionary(uniqueKeysWithValues: base.tensors.map { ($0.name, baseShard) })
        for tensor in temporal { weightMap[tensor.name] = temporalShard }
        try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap])
            .write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        return directory
    }
}
