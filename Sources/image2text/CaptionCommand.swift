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
            Loads the model once, then captions each image (JPEG, PNG, WebP, GIF) or video (any file FFmpeg reads, \
            told apart by content; a video needs a video checkpoint such as git-base-vatex) from [CLS], greedily \
            unless the generation options ask for beam search or sampling; --batch-size N decodes N inputs together \
            (same results). Prints the \
            caption alone for one image, "IMAGE: caption" per line for several (one line per returned sequence), or \
            with --json one object per line: {"input": IMAGE, "text": caption, "ids": [...], "prompt_ids": [...], \
            "score": S} plus "sequences" with several return sequences, and "timings". An image that cannot be read or captioned \
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
        let runner = GenerationRunner(model: model, options: generationFlags.options(tokenizer: model.tokenizer),
                                      output: outputFlags, input: inputOptions, labelled: labelled, file: file)
        let batches = stride(from: 0, to: inputs.count, by: batchSize).map { start in
            inputs[start..<min(start + batchSize, inputs.count)].map { (input: $0, question: String?.none) }
        }
        return try await runner.run(batches, progress: progress)
    }
}

/// `--json` and `--stream`, shared by `caption` and `ask`.
struct OutputFlags: ParsableArguments {
    @Flag(help: "Print one JSON object per input and line.")
    var json = false

    @Flag(help: "Print the text as it is generated (greedy or sampling, one sequence).")
    var stream = false

    func validate() throws {
        if json && stream { throw ValidationError("--stream prints plain text; leave out --json") }
    }
}

/// Runs generation for the CLI's inputs and prints the results or each input's problem.
struct GenerationRunner {
    let model: GITModel
    let options: GenerationOptions
    let output: OutputFlags
    let input: InputOptions
    /// Whether text lines start with the input's path.
    let labelled: Bool
    /// Where JSON lines go instead of standard output (`--output`).
    var file: JSONLinesFile? = nil

    /// What became of one input.
    private enum Outcome {
        case generated([GenerationResult], answer: Bool, timings: GenerationOutput.Timings)
        case failed(any Error)
    }

    /// Generates for each batch of inputs (image, video or frame files; question or nil) and prints the results in
    /// input order, reporting how many inputs are done as batches finish; returns how many failed. Several batches
    /// run side by side, one per kernel thread with single-threaded kernels: for many images that beats splitting
    /// each product across the threads (nothing waits between products, and each core decodes its own batch).
    func run(_ batches: [[(input: Input, question: String?)]], progress: @escaping (Int) -> Void = { _ in }) async throws -> Int {
        if output.stream { return try await stream(batches.joined()) }
        var failures = 0, done = 0
        guard batches.count > 1, KernelThreads.available > 1 else {
            for batch in batches {
                failures += try report(outcomes(of: batch), of: batch)
                done += batch.count
                progress(done)
            }
            return failures
        }
        var stop: (any Error)?
        let delivery = InOrderDelivery<Result<[Outcome], any Error>> { index, result in
            do {
                failures += try report(result.get(), of: batches[index])
                done += batches[index].count
                progress(done)
                return true
            } catch {
                stop = error
                return false
            }
        }
        KernelThreads.run(parts: batches.count) { index in
            guard !delivery.isStopped else { return }
            delivery.put(Result { try outcomes(of: batches[index]) }, at: index)
        }
        if let stop { throw stop }
        return failures
    }

    /// Encodes and decodes one batch, printing nothing; throws only an error about the request, which would repeat
    /// for every input.
    private func outcomes(of batch: [(input: Input, question: String?)]) throws -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: batch.count)
        var ready = [(index: Int, request: GenerationRequest, encodeSeconds: Double)]()
        for (index, (item, question)) in batch.enumerated() {
            let started = Date()
            do {
                let request = try model.request(question: question, image: input.encode(item, model: model))
                ready.append((index, request, Date().timeIntervalSince(started)))
            } catch where !GenerationOutput.concernsRequest(error) {
                outcomes[index] = .failed(error)
            }
        }
        var results: [Result<[GenerationResult], any Error>]
        let generationStarted = Date()
        do {
            results = try model.generate(ready.map(\.request), options: options).map { .success($0) }
        } catch where !GenerationOutput.concernsRequest(error) {
            // One input's problem (e.g. running past the position table): find it by running them one by one.
            results = ready.count == 1 ? [.failure(error)]
                : ready.map { input in Result { try model.generate([input.request], options: options)[0] } }
        }
        let generateSeconds = Date().timeIntervalSince(generationStarted)
        for ((index, request, encodeSeconds), result) in zip(ready, results) {
            let timings = GenerationOutput.Timings(encode: encodeSeconds, generate: generateSeconds, batch: ready.count)
            switch result {
            case .success(let sequences): outcomes[index] = .generated(sequences, answer: request.promptIds.count > 1, timings: timings)
            case .failure(let error): outcomes[index] = .failed(error)
            }
        }
        return outcomes.map { $0! }
    }

    /// Prints each input's result or problem; returns how many failed.
    private func report(_ outcomes: [Outcome], of batch: [(input: Input, question: String?)]) throws -> Int {
        var failures = 0
        for ((item, _), outcome) in zip(batch, outcomes) {
            switch outcome {
            case .generated(let sequences, let answer, let timings):
                try print(sequences, input: item, answer: answer, timings: timings)
            case .failed(let error):
                GenerationOutput.printError(GenerationOutput.imageProblem(error, input: item).description)
                failures += 1
            }
        }
        return failures
    }

    private func print(_ sequences: [GenerationResult], input: Input, answer: Bool, timings: GenerationOutput.Timings) throws {
        if output.json || file != nil {
            let line = try GenerationOutput.jsonLine(input: input.label, results: sequences, answer: answer, timings: timings)
            if let file { file.append(line) } else { GenerationOutput.printLine(line) }
        } else {
            for result in sequences {
                GenerationOutput.printLine(labelled ? "\(input.printableLabel): \(result.generatedText)" : result.generatedText)
            }
        }
    }

    /// Prints each input's text piece by piece as it is generated; returns how many failed.
    private func stream(_ inputs: some Sequence<(input: Input, question: String?)>) async throws -> Int {
        var failures = 0
        for (item, question) in inputs {
            guard let request = try GenerationOutput.forInput(item, failures: &failures, {
                try model.request(question: question, image: input.encode(item, model: model))
            }) else { continue }
            failures += try await stream(item, request: request) ? 0 : 1
        }
        return failures
    }

    /// Prints the generated text piece by piece; returns false after reporting a problem of this input.
    private func stream(_ input: Input, request: GenerationRequest) async throws -> Bool {
        if labelled { GenerationOutput.write("\(input.printableLabel): ") }
        do {
            for try await piece in model.textStream(request, options: options) { GenerationOutput.write(piece) }
            GenerationOutput.write("\n")
            return true
        } catch where GenerationOutput.concernsRequest(error) {
            throw error
        } catch {
            GenerationOutput.write("\n")
            GenerationOutput.printError(GenerationOutput.imageProblem(error, input: input).description)
            return false
        }
    }
}
