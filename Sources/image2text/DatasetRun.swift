import ArgumentParser
import Foundation
import Image2Text

/// How `caption`, `ask` and `classify` run their one task over their inputs: the inputs expanded
/// (``InputOptions``), this part's (`--shard`) less those the `--output` file holds, or shard by shard into
/// `--output-dir` (``DatasetOptions``); `--batch-size` at a time through ``InputRunner``, with a progress bar. The
/// generation options' warnings (``GenerationWarning``) are printed once, before any input is read.
struct DatasetRun {
    let modelOptions: ModelOptions
    let dataset: DatasetOptions
    let input: InputOptions
    /// `--json`: print JSON lines (as `--output -` does).
    let json: Bool
    /// `--stream`: print each text as it is generated.
    var stream = false

    /// The usage errors of these options together.
    static func validate(dataset: DatasetOptions, input: InputOptions, stream: Bool) throws {
        if dataset.writesJSONLines && stream { throw ValidationError("--output and --output-dir write JSON lines; leave out --stream") }
        if dataset.outputDirectory != nil && input.videoFrames {
            throw ValidationError("--output-dir takes WebDataset shards, whose members are not the frames of one video; leave out --video-frames")
        }
    }

    /// Runs `task` on the inputs `arguments` name, with the generation options `options` gives for the loaded model
    /// (classification takes none); exits 1 when an input failed.
    func run(_ arguments: [String], task: TaskItem.Task, options: (GITModel) throws -> GenerationOptions = { _ in GenerationOptions() }) async throws {
        if let directory = dataset.outputDirectory { return try await runShards(arguments, into: directory, task: task, options: options) }
        if let output = dataset.output, !dataset.printsToStandardOutput { try dataset.checkOutputFiles([output]) }
        var runner = try prepare(task: task, options: options)
        runner.file = try dataset.openOutputFile()
        let inputs = dataset.selecting(try input.inputs(arguments), file: runner.file)
        runner.labelled = inputs.count > 1
        let progress = ProgressBar(total: inputs.count)
        if try await runner.run(batches(inputs, task: task), progress: { progress.update(done: $0) }) > 0 { throw ExitCode.failure }
    }

    /// `--output-dir`: this part's shards, one after another (each read only when its turn comes), each into its own file.
    private func runShards(_ arguments: [String], into directory: String, task: TaskItem.Task,
                           options: (GITModel) throws -> GenerationOptions) async throws {
        let shards = try dataset.shardOutputs(InputExpansion.entries(arguments), directory: directory)
        try dataset.checkOutputFiles(shards.map(\.file))
        var runner = try prepare(task: task, options: options)
        runner.labelled = true
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(path: directory, message: "cannot create the output directory: \(error.localizedDescription)")
        }
        let progress = ProgressBar(total: shards.count, unit: "shards")
        var failures = 0
        for (index, shard) in shards.enumerated() {
            let file = try dataset.openOutput(shard.file)
            runner.file = file
            let inputs = DatasetOptions.remaining(try InputExpansion.inputs(of: [.tarShard(shard.shard)]), after: file)
            failures += try await runner.run(batches(inputs, task: task))
            progress.update(done: index + 1)
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// Loads the model, resolves the generation options and prints their warnings: the runner of the inputs.
    private func prepare(task: TaskItem.Task, options: (GITModel) throws -> GenerationOptions) throws -> InputRunner {
        let model = try modelOptions.load()
        let generationOptions = try options(model)
        if case .generate(let question) = task {
            // Also refuses an empty question, or options generation would refuse, before any input is read.
            let warnings = try model.warnings(generationOptions, promptLength: model.prompt(question: question).count)
            for warning in warnings { GenerationOutput.printWarning(warning.description) }
        }
        return InputRunner(model: model, options: generationOptions, json: json || dataset.printsToStandardOutput,
                           stream: stream, input: input)
    }

    /// `inputs` in batches of `--batch-size`, each input with `task`.
    private func batches(_ inputs: [Input], task: TaskItem.Task) -> [InputRunner.Batch] {
        stride(from: 0, to: inputs.count, by: dataset.batchSize).map { start in
            inputs[start..<min(start + dataset.batchSize, inputs.count)].map { (input: $0, task: task) }
        }
    }
}
