import ArgumentParser
import Foundation
import Image2TextDatasets

/// The options of `caption`, `ask` and `classify` for runs over a dataset in resumable parts, with no coordinator:
/// where the records go (`--output FILE` or `--output-dir DIR`, `--format`), what a resumed run does (`--retry-failed`,
/// `--overwrite`, `--ignore-bad-output-lines`), which part this process takes (`--shard I/N` or `--shard auto`), more
/// inputs (`--files-from`), `--include-json` and `--batch-size`.
struct DatasetOptions: ParsableArguments {
    @Option(name: [.long, .short], help: ArgumentHelp(
        "Append one record per input to FILE instead of printing; inputs FILE already holds are skipped. - prints the records to standard output.",
        discussion: "Run the same command again after an interruption and it goes on where it stopped: an incomplete "
            + "last line (the run was killed while writing it) is removed and its input done again. FILE.run.json records "
            + "what shapes the results (model, options, image size, dtype, version); a resumed run that differs is refused. "
            + "FILE.stats.json is written when every input of this part has a record.",
        valueName: "FILE"))
    var output: String?

    @Option(name: .customLong("output-dir"), help: ArgumentHelp(
        "For WebDataset shards: append each shard's records to DIR/SHARD.jsonl (SHARD: its name without .tar or .tar.gz), skipping inputs that file already holds.",
        discussion: "Every input must be a shard. With --shard each part takes whole shards, so that it alone writes their files.",
        valueName: "DIR"))
    var outputDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Records as jsonl (default), csv or tsv (a header row, then one row per input).", valueName: "FORMAT"))
    var format: RecordFormat = .jsonl

    @Option(name: .long, help: ArgumentHelp(
        "Take part I of N, counted from 0 (0 ≤ I < N): the inputs whose key hashes to I (with --output-dir, the shards); auto reads the scheduler's variables.",
        discussion: "auto: SLURM_ARRAY_TASK_ID of SLURM_ARRAY_TASK_COUNT (Slurm arrays), JOB_COMPLETION_INDEX of JOB_COMPLETIONS "
            + "(Kubernetes Indexed Jobs; pass the Job's completions in JOB_COMPLETIONS), or RANK of WORLD_SIZE. A key stays in "
            + "its part however the listing changes.",
        valueName: "I/N|auto"), transform: ShardChoice.init(parsing:))
    var shard: ShardChoice?

    @Option(name: .long, help: ArgumentHelp(
        "Also take the paths in LIST, one per line (- for standard input), each as it is written.", valueName: "LIST"))
    var filesFrom: String?

    @Flag(help: "Do the inputs whose record in the output is an error again (their error records are removed first).")
    var retryFailed = false

    @Flag(help: "Start the output again: remove the records the output file(s) hold and their run identity.")
    var overwrite = false

    @Flag(help: "Put a WebDataset sample's json member (key.json) into its record, as the field json.")
    var includeJSON = false

    @Flag(help: ArgumentHelp(
        "Leave lines of the output file(s) that are not image2text results where they are, and go on.",
        discussion: "Their inputs are not counted as done; a note on standard error says how many lines were ignored."))
    var ignoreBadOutputLines = false

    @Option(name: .long, help: ArgumentHelp("Inputs decoded together in one batch.", valueName: "N"))
    var batchSize = 1

    /// `--shard I/N` or `--shard auto`.
    enum ShardChoice {
        case part(ShardPart)
        case auto

        init(parsing argument: String) throws {
            if argument == "auto" {
                self = .auto
                return
            }
            do {
                self = .part(try ShardPart(parsing: argument))
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    func validate() throws {
        if output != nil && outputDirectory != nil {
            throw ValidationError("--output and --output-dir are mutually exclusive: one file for all inputs, or one per shard")
        }
        if outputDirectory == "-" { throw ValidationError("--output-dir takes a folder; to print the records, give --output -") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if !writesRecords {
            for (flag, given) in [("--format", format != .jsonl), ("--retry-failed", retryFailed), ("--overwrite", overwrite),
                                  ("--include-json", includeJSON)] where given {
                throw ValidationError("\(flag) applies to records: give --output or --output-dir")
            }
        }
    }

    /// `--output -`: the records go to standard output.
    var printsToStandardOutput: Bool { output == "-" }

    /// Whether results are written as records to standard output or files, rather than printed as text.
    var writesRecords: Bool { output != nil || outputDirectory != nil }

    /// This process's part: `--shard I/N`, or the scheduler's with `--shard auto` (a note on standard error names the
    /// variables); nil without `--shard`.
    func part(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ShardPart? {
        switch shard {
        case nil: return nil
        case .part(let part): return part
        case .auto:
            do {
                let found = try SchedulerShard.part(from: environment)
                GenerationOutput.printNote(found.source)
                return found.part
            } catch {
                throw ValidationError(error.description)
            }
        }
    }
}

extension RecordFormat: ExpressibleByArgument {}
