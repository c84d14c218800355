import ArgumentParser
import Foundation
import Image2TextHub

/// `image2text models`: the model repositories in the huggingface_hub cache, with their sizes.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models in the huggingface_hub cache, with their revisions and sizes on disk.",
        discussion: """
            The cache is HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub, shared with Python's \
            huggingface_hub. Any repository there can be passed as --model ORG/NAME; `demo` is the bundled model.

            Examples:
              image2text models
              image2text models --json
            """)

    @Flag(help: "Print one JSON object per repository instead of a table.")
    var json = false

    struct Line: Encodable {
        let repository: String
        let refs: [String: String]
        let snapshots: [String]
        let size_on_disk: Int64
        let path: String
    }

    func run() throws {
        let cache = HubCache(root: try HubEnvironment().cacheRoot)
        let lines = try cache.repositories().map {
            Line(repository: $0.id.description, refs: $0.refs, snapshots: $0.snapshots, size_on_disk: $0.sizeOnDisk,
                 path: $0.folder.path)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for line in lines { print(String(decoding: try encoder.encode(line), as: UTF8.self)) }
            return
        }
        guard !lines.isEmpty else {
            print("No models in \(cache.root.path). Fetch one with: image2text download [ORG/NAME]")
            return
        }
        let rows = [["REPOSITORY", "REVISIONS", "SIZE", "PATH"]] + lines.map {
            [$0.repository, $0.refs.keys.sorted().joined(separator: ","), Self.size($0.size_on_disk), $0.path]
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max()! }
        for row in rows {
            print((0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                  + "  " + row[3])
        }
    }

    /// `bytes` in the largest decimal unit that keeps the number at 1 or more (as `hf cache scan` writes sizes).
    static func size(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
