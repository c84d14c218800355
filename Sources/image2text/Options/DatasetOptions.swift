import ArgumentParser
import Foundation

/// `--output FILE` and `--shard I/N`: captioning a dataset in resumable parts, with no coordinator.
struct DatasetOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Append one JSON line per input to FILE instead of printing; inputs FILE already holds are skipped.",
        discussion: "Run the same command again after an interruption and it goes on where it stopped.",
        valueName: "FILE"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp(
        "Take part I of N (0-based): the inputs whose position in the expanded, sorted input list is I modulo N.",
        discussion: "For cluster array jobs: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT --output part-$SLURM_ARRAY_TASK_ID.jsonl",
        valueName: "I/N"))
    var shard: Shard?

    /// Part `index` of `count`.
    struct Shard: ExpressibleByArgument {
        let index: Int
        let count: Int

        init?(argument: String) {
            let parts = argument.split(separator: "/")
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (0..<count).contains(index)
            else { return nil }
            (self.index, self.count) = (index, count)
        }
    }

    /// This part's inputs, without those `--output` already holds.
    func selecting(_ inputs: [Input]) throws -> [Input] {
        var selected = inputs
        if let shard { selected = inputs.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element) }
        guard let output else { return selected }
        let done = try JSONLinesFile.inputs(in: output)
        return selected.filter { !done.contains($0.label) }
    }
}
