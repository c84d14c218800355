import ArgumentParser
import Foundation

/// `--output FILE` or `--output-dir DIR`, `--shard I/N` and `--batch-size N`: running `caption`, `ask` or `classify`
/// over a dataset in resumable parts, with no coordinator.
struct DatasetOptions: ParsableArguments {
    @Option(name: [.long, .short], help: ArgumentHelp(
        "Append one JSON line per input to FILE instead of printing; inputs FILE already holds are skipped. - prints the lines to standard output.",
        discussion: "Run the same command again after an interruption and it goes on where it stopped: an incomplete "
            + "last line (the run was killed while writing it) is removed and its input done again. A line that is "
            + "not an image2text result stops the command before any work, naming the file and the line number.",
        valueName: "FILE"))
    var output: String?

    @Flag(help: ArgumentHelp(
        "Leave lines of the --output file(s) that are not image2text results where they are, and go on.",
        discussion: "Their inputs are not counted as done; a note on standard error says how many lines were ignored."))
    var ignoreBadOutputLines = false

    @Option(name: .customLong("output-dir"), help: ArgumentHelp(
        "For WebDataset .tar inputs: append each shard's JSON lines to DIR/SHARD.jsonl (SHARD: its name without .tar), skipping inputs that file already holds.",
        discussion: "Every input must be a .tar shard. With --shard I/N each part takes whole shards, so that it alone writes their files.",
        valueName: "DIR"))
    var outputDirectory: String?

    @Option(name: .long, help: ArgumentHelp(
        "Take part I of N, counted from 0 (0 ≤ I < N): the inputs (with --output-dir, the .tar shards) whose position in the expanded, sorted input list is I modulo N.",
        discussion: "For cluster array jobs: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT --output part-$SLURM_ARRAY_TASK_ID.jsonl",
        valueName: "I/N"), transform: Shard.init(parsing:))
    var shard: Shard?

    @Option(name: .long, help: ArgumentHelp("Inputs decoded together in one batch.", valueName: "N"))
    var batchSize = 1

    /// Part `index` of `count`.
    struct Shard {
        let index: Int
        let count: Int

        /// `I/N`; a usage error that says what is wrong, and how parts are counted.
        init(parsing argument: String) throws {
            let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
                throw ValidationError("give part I of N as I/N, two whole numbers with 0 ≤ I < N (parts count from 0), e.g. 0/4")
            }
            guard count >= 1 else { throw ValidationError("N is the number of parts: at least 1, got \(count)") }
            guard (0..<count).contains(index) else {
                throw ValidationError("parts count from 0: part I of \(count) is 0 to \(count - 1) (0 ≤ I < N), got \(index)")
            }
            (self.index, self.count) = (index, count)
        }
    }

    /// One file of `--output-dir`: a WebDataset shard and the JSON Lines file its results go to.
    struct ShardOutput: Equatable {
        let shard: InputPath
        let file: String
    }

    func validate() throws {
        if output != nil && outputDirectory != nil {
            throw ValidationError("--output and --output-dir are mutually exclusive: one file for all inputs, or one per .tar shard")
        }
        if outputDirectory == "-" { throw ValidationError("--output-dir takes a folder; to print the JSON lines, give --output -") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    /// `--output -`: the JSON lines go to standard output.
    var printsToStandardOutput: Bool { output == "-" }

    /// Whether results are written as JSON lines to standard output or files, rather than printed as text.
    var writesJSONLines: Bool { output != nil || outputDirectory != nil }

    /// The `--output` file, opened for appending after checking that it holds only results; nil without one, or with
    /// `--output -`.
    func openOutputFile() throws -> JSONLinesFile? {
        guard let output, !printsToStandardOutput else { return nil }
        return try openOutput(output)
    }

    /// This part's inputs, without those `file` (the `--output` file) already holds.
    func selecting(_ inputs: [Input], file: JSONLinesFile?) -> [Input] {
        let selected = partOf(inputs)
        guard let file else { return selected }
        return Self.remaining(selected, after: file)
    }

    /// `path` opened for appending results, after checking that it holds only results (``JSONLinesFile``).
    func openOutput(_ path: String) throws -> JSONLinesFile {
        try JSONLinesFile(path: path, ignoringBadLines: ignoreBadOutputLines)
    }

    /// Checks, before any work, that the result files `paths` (those that exist) hold only results.
    func checkOutputFiles(_ paths: [String]) throws {
        for path in paths { _ = try JSONLinesFile.read(path, ignoringBadLines: ignoreBadOutputLines) }
    }

    /// This part's `.tar` shards, each with its file in `directory`. Every entry must be a shard, and no two shards
    /// may share a file name: both are usage errors naming the input.
    func shardOutputs(_ entries: [InputExpansion.Entry], directory: String) throws -> [ShardOutput] {
        var shards: [String: String] = [:]
        let outputs = try entries.map { entry -> ShardOutput in
            guard case .tarShard(let path) = entry else {
                throw ValidationError("--output-dir writes one file per WebDataset shard: '\(entry.label)' is not a .tar file")
            }
            // A shard name that is not UTF-8 gives its file the escaped name (``Input/label``).
            let label = path.string ?? path.printable
            let name = ((label as NSString).lastPathComponent as NSString).deletingPathExtension
            if let other = shards.updateValue(path.printable, forKey: name) {
                throw ValidationError("--output-dir: '\(other)' and '\(path.printable)' would both write \(name).jsonl")
            }
            return ShardOutput(shard: path, file: (directory as NSString).appendingPathComponent(name + ".jsonl"))
        }
        return partOf(outputs)
    }

    /// `inputs` without those whose `input` `file` already holds: what a resumed run still has to do.
    static func remaining(_ inputs: [Input], after file: JSONLinesFile) -> [Input] {
        inputs.filter { !file.inputs.contains($0.label) }
    }

    /// Every `shard.count`-th item from the `shard.index`-th; all of them without `--shard`.
    private func partOf<Item>(_ items: [Item]) -> [Item] {
        guard let shard else { return items }
        return items.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element)
    }
}
