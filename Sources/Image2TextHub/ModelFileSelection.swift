import Foundation
import Image2TextSupport

/// Which files of a repository revision `GITModel` needs: the configuration, processor and tokenizer files that
/// exist, and one set of weights — `model.safetensors`, else the sharded safetensors index, else `pytorch_model.bin`,
/// else its sharded index (the shards themselves come from the index, see ``shards(inIndex:)``).
struct ModelFileSelection: Equatable {
    /// Files copied when the revision has them.
    static let supportFiles = CheckpointFileNames.support
    /// Weight files in the loader's order of preference.
    static let weightFiles = CheckpointFileNames.weights

    /// The configuration, processor and tokenizer files to fetch.
    var supportFiles: [String]
    /// The weights file, or the shard index whose shards must be fetched too.
    var weights: String

    /// Whether ``weights`` is a shard index.
    var weightsAreIndexed: Bool { weights.hasSuffix(".index.json") }

    /// Picks the files from a revision's listing (`siblings[].rfilename`).
    init(repository: HubRepositoryID, revision: String, files: [String]) throws {
        let available = Set(files)
        guard let weights = Self.weightFiles.first(where: { available.contains($0) }) else {
            throw HubError.noModelWeights(repository: repository.description, revision: revision, files: files.sorted())
        }
        self.supportFiles = Self.supportFiles.filter { available.contains($0) }
        self.weights = weights
    }

    /// The shard files named by a `*.index.json` file's `weight_map`, sorted.
    static func shards(inIndex url: URL, repository: HubRepositoryID) throws -> [String] {
        struct Index: Decodable {
            let weightMap: [String: String]
            enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
        }
        do {
            return Set(try JSONDecoder().decode(Index.self, from: Data(contentsOf: url)).weightMap.values).sorted()
        } catch {
            throw HubError.invalidResponse(repository: repository.description, url: url.path,
                                           reason: "shard index without a weight_map: \(error)")
        }
    }
}
