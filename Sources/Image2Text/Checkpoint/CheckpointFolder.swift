import Foundation

/// A checkpoint folder in Hugging Face snapshot layout, opened and checked: the model configuration, the generation
/// configuration and the memory-mapped weights.
public struct CheckpointFolder: Sendable {
    public let directory: URL
    public let config: GitConfig
    public let generationConfig: GenerationConfig
    public let weights: WeightStore

    /// Opens `directory`: reads `config.json` and `generation_config.json` (optional), and checks the weights against
    /// the tensors the configuration needs.
    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw CheckpointError.missingFile(directory)
        }
        guard isDirectory.boolValue else { throw CheckpointError.notADirectory(directory) }
        self.directory = directory
        config = try GitConfig.load(from: directory.appendingPathComponent("config.json"))
        generationConfig = try GenerationConfig.load(
            from: directory.appendingPathComponent("generation_config.json"), modelConfig: config)
        weights = try WeightStore(directory: directory, expected: GitTensorNames(config: config).expected)
    }
}
