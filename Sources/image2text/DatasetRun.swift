import ArgumentParser
import Foundation
import Image2Text
import Image2TextDatasets
import Image2TextKernels

/// How `caption`, `ask` and `classify` run their task over their inputs: the inputs found and keyed
/// (``InputDiscovery``), this part's (`--shard`, by key) less those the output already holds, the questions asked
/// of each (`--question` or `--questions`), `--batch-size` at a time through ``InputRunner`` in windows of a few
/// batches per core (a shard is read as its samples are needed), into a ``ResultSink``. With an output file the
/// run's identity is checked or recorded first and its statistics written last.
struct DatasetRun {
    let modelOptions: ModelOptions
    let dataset: DatasetOptions
    let input: InputOptions
    /// `--json`: print the results' JSON lines.
    let json: Bool
    /// `--stream`: print each text as it is generated.
    var stream = false

    /// What is asked of each input.
    enum Questions {
        /// Nothing (a caption; a classification prompted with [CLS] alone).
        case none
        /// The same question of every input.
        case fixed(String)
        /// `--questions FILE`: each input's rows.
        case file(String)
    }

    /// The task, and what identifies it in the run identity.
    struct Task {
        let kind: DatasetTask
        let make: (String?) -> TaskItem.Task
        var labels: [String]? = nil
    }

    /// The usage errors of these options together.
    static func validate(dataset: DatasetOptions, input: InputOptions, stream: Bool, arguments: [String]) throws {
        if dataset.writesRecords && stream { throw ValidationError("--output and --output-dir write records; leave out --stream") }
        if dataset.outputDirectory != nil && input.videoFrames {
            throw ValidationError("--output-dir takes WebDataset shards, whose samples are not the frames of one video; leave out --video-frames")
        }
        if arguments.isEmpty && dataset.filesFrom == nil { throw ValidationError("give the inputs: INPUT arguments, or --files-from LIST") }
    }

    /// Runs `task` on the inputs `arguments` (and `--files-from`) name, with the generation options `options` gives
    /// for the loaded model (classification takes none). Exits 1 when an input failed without a record (printed
    /// results, or a shard that cannot be read); failures on record leave the exit status 0.
    func run(_ arguments: [String], task: Task, questions: Questions,
             options: (GITModel) throws -> GenerationOptions = { _ in GenerationOptions() }) async throws {
        let part = try dataset.part()
        let listed = try dataset.filesFrom.map { try InputListFile.read($0) } ?? []
        let (root, entries) = try InputDiscovery.discover(InputPath.commandLine(arguments), listed: listed)
        guard !entries.isEmpty else { throw ValidationError("no inputs: --files-from \(dataset.filesFrom ?? "") lists none") }
        var asked = try QuestionSource(questions, root: root)
        let shardFiles = try dataset.outputDirectory.map { try shardOutputs(entries, directory: $0, part: part) }
        if let output = dataset.output, !dataset.printsToStandardOutput { try checkOutputs([output]) }
        if let shardFiles { try checkOutputs(shardFiles.map(\.file)) }

        let model = try modelOptions.load()
        let generationOptions = try options(model)
        if case .generate = task.make(nil) {
            // Also refuses an empty question, or options generation would refuse, before any input is read.
            let warnings = try model.warnings(generationOptions, promptLength: model.prompt(question: asked.sampleQuestion).count)
            for warning in warnings { GenerationOutput.printWarning(warning.description) }
        }
        let runner = InputRunner(model: model, options: generationOptions, input: input, task: task.make)
        let identity = try runIdentity(task: task, model: model, options: generationOptions, question: asked.fixed, root: root)

        if let shardFiles {
            try runShards(shardFiles, runner: runner, asked: &asked, identity: identity, part: part)
        } else if dataset.writesRecords {
            try runIntoOneOutput(entries, runner: runner, asked: &asked, identity: identity, part: part)
        } else {
            try await runPrinted(entries, runner: runner, asked: &asked, part: part)
        }
        if part == nil, let unused = asked.unusedLines.first {
            GenerationOutput.printNote("\(asked.file ?? ""): \(asked.unusedLines.count) question row(s) matched no input (the first: line \(unused))")
        }
    }

    // MARK: - Printed results

    /// Text or `--json` lines on standard output; exits 1 when an input failed.
    private func runPrinted(_ entries: [InputEntry], runner: InputRunner, asked: inout QuestionSource, part: ShardPart?) async throws {
        // Lines name their input when there may be several (`--video-frames` makes one input of all the files).
        let labelled = !input.videoFrames
            && (entries.count > 1 || asked.file != nil || entries.contains { if case .shard = $0.kind { true } else { false } })
        let sink = ResultSink(json ? .json : .text(labelled: labelled))
        var inputs = try inputSource(entries)
        if stream {
            var items: [WorkItem] = []
            while let item = try next(&inputs, asked: &asked, part: part, index: nil, sink: sink).item { items.append(item) }
            if try await runner.stream(items, labelled: labelled) > 0 { throw ExitCode.failure }
            return
        }
        _ = try process(&inputs, runner: runner, asked: &asked, part: part, index: nil, sink: sink, progress: ProgressBar(total: total(entries)))
        if sink.failed > 0 { throw ExitCode.failure }
    }

    // MARK: - Records

    /// `--output FILE` or `--output -`: every input's record in one file (or printed), then the statistics.
    private func runIntoOneOutput(_ entries: [InputEntry], runner: InputRunner, asked: inout QuestionSource, identity: RunIdentity,
                                  part: ShardPart?) throws {
        let columns = RecordColumn.columns(for: identity.task, includeJSON: dataset.includeJSON)
        let file = try dataset.printsToStandardOutput ? nil : openOutput(dataset.output!, identity: identity, columns: columns)
        let sink = ResultSink(.records(file: file, format: dataset.format, columns: columns, includeJSON: dataset.includeJSON))
        if file == nil, let csv = dataset.format.csv { GenerationOutput.write(csv.line(columns.map(\.rawValue))) }
        var inputs = try inputSource(entries)
        let started = ContinuousClock.now
        let skipped = try process(&inputs, runner: runner, asked: &asked, part: part, index: file?.index, sink: sink,
                                  progress: ProgressBar(total: total(entries)))
        let stats = RunStats(shard: part?.description, done: sink.done, failed: sink.failed, skipped: skipped, held: file?.index,
                             seconds: started.duration(to: .now).seconds, finishedAt: Self.now())
        if let file { try write(stats, beside: file.path) }
        GenerationOutput.printSummary(stats.summary)
        if inputs.unreadableShards > 0 { throw ExitCode.failure }
    }

    /// One `--output-dir` file: a WebDataset shard and the file its records go to.
    struct ShardOutput {
        let entry: InputEntry
        let file: String
    }

    /// `--output-dir`: this part's shards, one after another, each into its own file with its own statistics.
    private func runShards(_ shards: [ShardOutput], runner: InputRunner, asked: inout QuestionSource, identity: RunIdentity,
                           part: ShardPart?) throws {
        do {
            try FileManager.default.createDirectory(atPath: dataset.outputDirectory!, withIntermediateDirectories: true)
        } catch {
            throw InputError(path: dataset.outputDirectory!, message: "cannot create the output directory: \(error.localizedDescription)")
        }
        let columns = RecordColumn.columns(for: identity.task, includeJSON: dataset.includeJSON)
        let progress = ProgressBar(total: shards.count, unit: "shards")
        var (done, failed, skipped, unreadable) = (0, 0, 0, 0)
        let started = ContinuousClock.now
        for (index, shard) in shards.enumerated() {
            let file = try openOutput(shard.file, identity: identity, columns: columns)
            let sink = ResultSink(.records(file: file, format: dataset.format, columns: columns, includeJSON: dataset.includeJSON))
            var inputs = try inputSource([shard.entry])
            let shardStarted = ContinuousClock.now
            let shardSkipped = try process(&inputs, runner: runner, asked: &asked, part: nil, index: file.index, sink: sink, progress: nil)
            progress.update(done: index + 1)
            (done, failed, skipped) = (done + sink.done, failed + sink.failed, skipped + shardSkipped)
            unreadable += inputs.unreadableShards
            guard inputs.unreadableShards == 0 else { continue }  // not complete: no statistics
            try write(RunStats(shard: part?.description, done: sink.done, failed: sink.failed, skipped: shardSkipped,
                               held: file.index, seconds: shardStarted.duration(to: .now).seconds, finishedAt: Self.now()), beside: shard.file)
        }
        let overall = RunStats(shard: part?.description, done: done, failed: failed, skipped: skipped, held: nil,
                               seconds: started.duration(to: .now).seconds, finishedAt: Self.now())
        GenerationOutput.printSummary(overall.summary)
        if unreadable > 0 { throw ExitCode.failure }
    }

    /// This part's shards, each with its file in `directory`. Every entry must be a shard, and no two shards may share
    /// a file name: both are usage errors naming the input.
    private func shardOutputs(_ entries: [InputEntry], directory: String, part: ShardPart?) throws -> [ShardOutput] {
        var names: [String: String] = [:]
        let outputs = try entries.map { entry -> ShardOutput in
            guard case .shard(let path, _) = entry.kind else {
                throw ValidationError("--output-dir writes one file per WebDataset shard: '\(entry.printableName)' is not a .tar file (nor .tar.gz)")
            }
            // A shard name that is not UTF-8 gives its file the escaped name.
            var name = path.string.map { ($0 as NSString).lastPathComponent } ?? PrintableName.escaped(path.lastComponent)
            for suffix in [".tar.gz", ".tgz", ".tar"] where name.lowercased().hasSuffix(suffix) {
                name.removeLast(suffix.count)
                break
            }
            let file = (directory as NSString).appendingPathComponent(name + "." + dataset.format.fileExtension)
            if let other = names.updateValue(path.printable, forKey: file) {
                throw ValidationError("--output-dir: '\(other)' and '\(path.printable)' would both write \((file as NSString).lastPathComponent)")
            }
            return ShardOutput(entry: entry, file: file)
        }
        guard let part else { return outputs }
        return outputs.filter { part.contains(key: $0.entry.key) }
    }

    /// Checks, before any work, that the output files `paths` (those that exist) hold only results.
    private func checkOutputs(_ paths: [String]) throws {
        guard !dataset.overwrite else { return }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            _ = try ResumeIndex(data, format: dataset.format, file: PrintableName.escaped(path.utf8), ignoringBadLines: dataset.ignoreBadOutputLines)
        }
    }

    /// The output file at `path`, opened for appending after its run identity is checked (or recorded, for a new file
    /// or with `--overwrite`); its statistics are removed until the run completes again.
    private func openOutput(_ path: String, identity: RunIdentity, columns: [RecordColumn]) throws -> ResultFile {
        let files = FileManager.default
        let sidecar = RunIdentity.sidecar(of: path)
        let name = PrintableName.escaped(path.utf8)
        if dataset.overwrite {
            for file in [path, sidecar, RunStats.file(of: path)] where files.fileExists(atPath: file) { try files.removeItem(atPath: file) }
        }
        if let data = files.contents(atPath: sidecar) {
            let recorded = try RunIdentity.read(data, file: PrintableName.escaped(sidecar.utf8))
            let differences = identity.differences(from: recorded)
            if !differences.isEmpty {
                throw RunIdentity.Failure.differs(file: PrintableName.escaped(sidecar.utf8), output: name, differences: differences)
            }
        } else if let data = files.contents(atPath: path),
                  let held = try? ResumeIndex(data, format: dataset.format, file: name, ignoringBadLines: true),
                  !held.done.isEmpty || !held.failed.isEmpty {
            throw InputError(path: name, message: "holds records but no run identity (\(PrintableName.escaped(sidecar.utf8))): "
                + "give --overwrite to start it again, or another output")
        } else {
            do {
                try identity.json().write(to: URL(fileURLWithPath: sidecar))
            } catch {
                throw InputError(path: PrintableName.escaped(sidecar.utf8), message: "cannot write the run identity: \(error.localizedDescription)")
            }
        }
        if files.fileExists(atPath: RunStats.file(of: path)) { try files.removeItem(atPath: RunStats.file(of: path)) }
        let file = try ResultFile(path: path, format: dataset.format, columns: columns, ignoringBadLines: dataset.ignoreBadOutputLines,
                                  retryingFailed: dataset.retryFailed)
        for note in file.notes { GenerationOutput.printNote(note) }
        return file
    }

    private func write(_ stats: RunStats, beside path: String) throws {
        let file = RunStats.file(of: path)
        do {
            try stats.json().write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw InputError(path: PrintableName.escaped(file.utf8), message: "cannot write the statistics: \(error.localizedDescription)")
        }
    }

    /// What this run's records are checked against when resumed.
    private func runIdentity(task: Task, model: GITModel, options: GenerationOptions, question: String?, root: InputRoot) throws -> RunIdentity {
        let reference: String = switch modelOptions.location.reference {
        case .demo: "demo"
        case .folder(let url): url.path
        case .hub(let repository, _): repository.description
        }
        var generation: [String: JSONValue] = [:]
        for option in GenerationOption.all {
            guard let value = option.value(in: options) else { continue }
            generation[option.name] = switch value {
            case .integer(let number): .number(Double(number))
            case .unsigned(let number): .string(String(number))
            case .number(let number): .number(number)
            case .flag(let flag): .bool(flag)
            case .word(let word): .string(word)
            case .texts(let texts): .array(texts.map(JSONValue.string))
            case .tokenLists(let lists): .array(lists.map { .array($0.map { .number(Double($0)) }) })
            }
        }
        let files = dataset.writesRecords && !dataset.printsToStandardOutput ? try ModelFingerprint.files(of: model.directory) : [:]
        return RunIdentity(
            image2text: "\(BuildInfo.version) (commit \(BuildInfo.commit))", task: task.kind,
            model: RunIdentity.Model(reference: reference, revision: ModelFingerprint.revision(of: model.directory), files: files),
            generation: generation, imageSize: model.imageProcessor.configuration.cropSize.height,
            dtype: modelOptions.compute.dtype?.rawValue ?? "stored", question: question, labels: task.labels, frames: input.frames,
            exifOrientation: input.media.exifOrientation ? "apply" : "ignore", format: dataset.format, includeJSON: dataset.includeJSON,
            inputRoot: PrintableName.label(root.path.bytes), createdAt: Self.now())
    }

    private static func now() -> String {
        Date().formatted(.iso8601)
    }

    // MARK: - The work

    /// The inputs of `entries`: read from their files and shards, or, with `--video-frames`, the one video they make.
    private func inputSource(_ entries: [InputEntry]) throws -> InputSource {
        if input.videoFrames { return InputSource(single: try input.videoFrames(entries)) }
        return InputSource(reader: DatasetInputReader(entries))
    }

    /// The number of inputs when it is known before reading any shard.
    private func total(_ entries: [InputEntry]) -> Int? {
        if input.videoFrames { return 1 }
        return entries.contains { if case .shard = $0.kind { true } else { false } } ? nil : entries.count
    }

    /// The next input that has questions left to do (this part's, not held by `index`), as a work item; nil at the
    /// end. Skipped questions are counted; a shard that cannot be read is reported to `sink` and the next entry read.
    private func next(_ inputs: inout InputSource, asked: inout QuestionSource, part: ShardPart?, index: ResumeIndex?,
                      sink: ResultSink) throws -> (item: WorkItem?, skipped: Int) {
        var skipped = 0
        while true {
            let input: DatasetInput?
            do {
                input = try inputs.next()
            } catch let error as ArchiveError {
                sink.report(error)
                continue
            }
            guard let input else { return (nil, skipped) }
            if let part, !part.contains(key: input.key) { continue }
            let questions = asked.questions(for: input)
            let left = questions.filter { index?.holds(ResumeID(key: input.key, question: $0), retryingFailed: dataset.retryFailed) != true }
            skipped += questions.count - left.count
            if !left.isEmpty { return (WorkItem(input: input, questions: left), skipped) }
        }
    }

    /// Runs every input left to do into `sink`, a window of batches at a time; returns how many questions were skipped.
    private func process(_ inputs: inout InputSource, runner: InputRunner, asked: inout QuestionSource, part: ShardPart?,
                         index: ResumeIndex?, sink: ResultSink, progress: ProgressBar?) throws -> Int {
        let window = dataset.batchSize * max(1, KernelThreads.available) * 4
        var skipped = 0, handed = 0
        var finished = false
        while !finished {
            var items: [WorkItem] = []
            while items.count < window {
                let (item, skippedNow) = try next(&inputs, asked: &asked, part: part, index: index, sink: sink)
                skipped += skippedNow
                guard let item else {
                    finished = true
                    break
                }
                items.append(item)
            }
            let batches = stride(from: 0, to: items.count, by: dataset.batchSize).map { Array(items[$0..<min($0 + dataset.batchSize, items.count)]) }
            try runner.run(batches) { item, outcomes in
                try sink.deliver(item, outcomes)
                handed += 1
                progress?.update(done: handed)
            }
        }
        return skipped
    }
}

/// Where a run's inputs come from: a reader of entries, or the one video of `--video-frames`. Counts the shards that
/// could not be read.
struct InputSource {
    private var reader: DatasetInputReader?
    private var single: DatasetInput?
    private(set) var unreadableShards = 0

    init(reader: DatasetInputReader) {
        self.reader = reader
    }

    init(single: DatasetInput) {
        self.single = single
    }

    mutating func next() throws -> DatasetInput? {
        guard reader != nil else {
            defer { single = nil }
            return single
        }
        do {
            return try reader!.next()
        } catch {
            unreadableShards += 1
            throw error
        }
    }
}
