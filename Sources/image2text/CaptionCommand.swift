import ArgumentParser
import Foundation
import Image2Text
import Image2TextKernels

/// `image2text caption IMAGE...`: captions as transformers 5.23's `generate(pixel_values, **options)` gives them.
struct CaptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Caption images.",
        discussion: """
            Loads the model once, then captions each image (JPEG, PNG, WebP, GIF, BMP, TIFF) or video (any file \
            FFmpeg reads, told apart by content; a video needs a video checkpoint such as git-base-vatex) from [CLS], greedily \
            unless the generation options ask for beam search or sampling; --batch-size N decodes N inputs together \
            (same results). Prints the \
            caption alone for one image, "IMAGE: caption" per line for several (one line per returned sequence), or \
            with --json one object per line, keys sorted: {"finish_reason": "eos" or "length", "ids": [...], \
            "input": IMAGE, "prompt_ids": [...], "score": S, "text": caption} plus "sequences" with several return \
            sequences, and "timings" (the server's response body, the same type). An image that cannot be read or captioned \
            prints "Error: IMAGE: problem" on stderr and the others still run; the exit status is then 1. \
            In "IMAGE: caption" lines and error messages a name is printed on one line: a backslash as \\\\, \
            newline, tab and carriage return as \\n, \\t and \\r, other control bytes and bytes that are not \
            UTF-8 as \\xHH (printf '%b' turns them back); in JSON, "input" is the name itself (escaped the same \
            way only when it is not UTF-8). \
            INPUT may be a directory (its images and videos, recursively), a glob pattern, a WebDataset .tar shard \
            or - (an image on standard input). --output FILE appends the JSON lines to FILE and skips inputs it \
            already holds (resumable); --shard I/N takes every N-th input from the I-th. For WebDataset shards, \
            --output-dir DIR instead writes each shard's lines to DIR/SHARD.jsonl (resumable per file), and --shard \
            I/N then takes every N-th shard, so that each part writes whole files of its own.

            Examples:
              image2text caption Fixtures/easyvqa/0.png
              image2text caption --num-beams 3 --json Fixtures/easyvqa/0.png
              image2text caption --batch-size 8 --output captions.jsonl Fixtures/easyvqa
              cat Fixtures/easyvqa/5.png | image2text caption -
              tar -cf shard-0.tar -C Fixtures/easyvqa 0.png 5.png
              tar -cf shard-1.tar -C Fixtures/easyvqa 10.png 15.png
              image2text caption --output-dir captions --shard 1/2 'shard-*.tar'
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @OptionGroup var outputFlags: OutputFlags

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @OptionGroup(title: "Dataset Options") var datasetOptions: DatasetOptions

    @Option(name: .long, help: ArgumentHelp("Inputs decoded together in one batch.", valueName: "N"))
    var batchSize = 1

    @Argument(help: ArgumentHelp("Image or video files, directories, glob patterns, .tar shards, or - for standard input.", valueName: "INPUT"))
    var images: [String]

    func validate() throws {
        try outputFlags.validate()
        let writesFiles = datasetOptions.output != nil || datasetOptions.outputDirectory != nil
        if writesFiles && outputFlags.stream { throw ValidationError("--output and --output-dir write JSON lines; leave out --stream") }
        if datasetOptions.outputDirectory != nil && inputOptions.videoFrames {
            throw ValidationError("--output-dir takes WebDataset shards, whose members are not the frames of one video; leave out --video-frames")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
    }

    func run() async throws {
        if let directory = datasetOptions.outputDirectory { return try await captionShards(into: directory) }
        try datasetOptions.checkOutputFiles(datasetOptions.output.map { [$0] } ?? [])
        let model = try modelOptions.load()
        let file = try datasetOptions.output.map(datasetOptions.openOutput)
        let inputs = datasetOptions.selecting(try inputOptions.inputs(images), file: file)
        let progress = ProgressBar(total: inputs.count)
        let failures = try await caption(inputs, model: model, labelled: inputs.count > 1, file: file) { progress.update(done: $0) }
        if failures > 0 { throw ExitCode.failure }
    }

    /// `--output-dir`: this part's shards, one after another (each read only when its turn comes), each into its own file.
    private func captionShards(into directory: String) async throws {
        let shards = try datasetOptions.shardOutputs(InputExpansion.entries(images), directory: directory)
        try datasetOptions.checkOutputFiles(shards.map(\.file))
        let model = try modelOptions.load()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw InputError(path: directory, message: "cannot create the output directory: \(error.localizedDescription)")
        }
        let progress = ProgressBar(total: shards.count, unit: "shards")
        var failures = 0
        for (index, shard) in shards.enumerated() {
            let file = try datasetOptions.openOutput(shard.file)
            let inputs = DatasetOptions.remaining(try InputExpansion.inputs(of: [.tarShard(shard.shard)]), after: file)
            failures += try await caption(inputs, model: model, labelled: true, file: file) { _ in }
            progress.update(done: index + 1)
        }
        if failures > 0 { throw ExitCode.failure }
    }

    /// Captions `inputs` --batch-size at a time, reporting as batches are done how many inputs are; returns how many failed.
    private func caption(_ inputs: [Input], model: GITModel, labelled: Bool, file: JSONLinesFile?,
                         progress: @escaping (Int) -> Void) async throws -> Int {
        let runner = InputRunner(model: model, options: try generationFlags.options(tokenizer: model.tokenizer),
                                 json: outputFlags.json, stream: outputFlags.stream, input: inputOptions,
                                 labelled: labelled, file: file)
        let batches = stride(from: 0, to: inputs.count, by: batchSize).map { start in
            inputs[start..<min(start + batchSize, inputs.count)].map { (input: $0, task: TaskItem.Task.generate(question: nil)) }
        }
        return try await runner.run(batches, progress: progress)
    }
}
