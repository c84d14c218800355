import Foundation
import Image2TextSupport

/// A checkpoint folder in Hugging Face snapshot layout, opened and checked: the model configuration, the generation
/// configuration and the memory-mapped weights.
public struct CheckpointFolder: Sendable {
    public let directory: URL
    public let config: GitConfig
    public let generationConfig: GenerationConfig
    public let weights: WeightStore

    /// Opens `directory`: reads `config.json` and `generation_config.json` (optional), and checks the weights against
    /// the tensors the configuration needs (first its counts of layers and frames against the layers and frames the
    /// weights hold).
    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw CheckpointError.missingFile(directory)
        }
        guard isDirectory.boolValue else { throw CheckpointError.notADirectory(directory) }
        self.directory = directory
        let configFile = directory.appendingPathComponent(CheckpointFileNames.configuration)
        config = try GitConfig.load(from: configFile)
        generationConfig = try GenerationConfig.load(
            from: directory.appendingPathComponent(CheckpointFileNames.generationConfiguration), modelConfig: config)
        let files = try WeightStore.weightFiles(in: directory)
        // Before the table of expected tensors, which has an entry per layer and frame the configuration claims.
        try GitTensorNames.checkCounts(of: config, against: files.lazy.flatMap(\.tensors).map(\.name), file: configFile)
        weights = try WeightStore(files: files, directory: directory, expected: GitTensorNames(config: config).expected)
    }
}
