import Foundation
import Image2Text
import Image2TextKernels

/// Runs the CLI's inputs through the library's ``TaskRunner`` and prints each input's result or problem, in input
/// order: the text (or best label), or with `--json` / `--output` the result's JSON line (``TaskResult``, the server's
/// response body too). A failure whose fault is the request's ends the command (it would repeat for every input);
/// any other is printed as the input's problem and counted.
struct InputRunner {
    let model: GITModel
    let options: GenerationOptions
    /// `--json`: print each result's JSON line.
    let json: Bool
    /// `--stream`: print each text as it is generated.
    var stream = false
    let input: InputOptions
    /// Whether text lines start with the input's path.
    var labelled = false
    /// Where JSON lines go instead of standard output (`--output`).
    var file: JSONLinesFile? = nil

    typealias Batch = [(input: Input, task: TaskItem.Task)]

    /// Runs each batch and prints the results in input order, reporting how many inputs are done as batches finish;
    /// returns how many failed. Several batches run side by side, one per kernel thread with single-threaded kernels:
    /// for many images that beats splitting each product across the threads (nothing waits between products, and
    /// each core decodes its own batch).
    func run(_ batches: [Batch], progress: @escaping (Int) -> Void = { _ in }) async throws -> Int {
        if stream { return try await stream(batches.joined()) }
        let runner = TaskRunner(model: model)
        func results(_ batch: Batch) -> [Result<TaskResult, TaskFailure>] {
            runner.run(batch.map { input.item($0.input, task: $0.task, model: model) }, options: options)
        }
        var failures = 0, done = 0
        guard batches.count > 1, KernelThreads.available > 1 else {
            for batch in batches {
                failures += try report(results(batch), of: batch)
                done += batch.count
                progress(done)
            }
            return failures
        }
        var stop: (any Error)?
        let delivery = InOrderDelivery<[Result<TaskResult, TaskFailure>]> { index, outcomes in
            do {
                failures += try report(outcomes, of: batches[index])
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
            delivery.put(results(batches[index]), at: index)
        }
        if let stop { throw stop }
        return failures
    }

    /// Prints each input's result or problem; returns how many failed; throws a failure that is the request's.
    private func report(_ outcomes: [Result<TaskResult, TaskFailure>], of batch: Batch) throws -> Int {
        var failures = 0
        for ((item, _), outcome) in zip(batch, outcomes) {
            switch outcome {
            case .success(let result):
                try print(result, input: item)
            case .failure(let failure) where failure.fault == .request:
                throw failure
            case .failure(let failure):
                GenerationOutput.printError(GenerationOutput.imageProblem(failure, input: item).description)
                failures += 1
            }
        }
        return failures
    }

    private func print(_ result: TaskResult, input: Input) throws {
        if json || file != nil {
            let line = try GenerationOutput.jsonLine(result)
            if let file { file.append(line) } else { GenerationOutput.printLine(line) }
            return
        }
        let texts: [String] = switch result.output {
        case .generation(let sequences, _): sequences.map { $0.answer ?? $0.text }
        case .classification(let ranking): [ranking[0].label]
        }
        for text in texts { GenerationOutput.printLine(labelled ? "\(input.printableLabel): \(text)" : text) }
    }

    /// Prints each input's text piece by piece as it is generated; returns how many failed.
    private func stream(_ items: some Sequence<(input: Input, task: TaskItem.Task)>) async throws -> Int {
        var failures = 0
        func report(_ error: any Error, of item: Input) throws {
            let failure = TaskFailure(error)
            if failure.fault == .request { throw failure }
            GenerationOutput.printError(GenerationOutput.imageProblem(failure, input: item).description)
            failures += 1
        }
        for (item, task) in items {
            guard case .generate(let question) = task else { preconditionFailure("only generation streams") }
            let request: GenerationRequest
            do {
                request = try model.request(question: question, image: model.encode(InputOptions.read(item, reader: input.reader, model: model)))
            } catch {
                try report(error, of: item)
                continue
            }
            if labelled { GenerationOutput.write("\(item.printableLabel): ") }
            do {
                for try await piece in model.textStream(request, options: options) { GenerationOutput.write(piece) }
                GenerationOutput.write("\n")
            } catch {
                if TaskFailure(error).fault != .request { GenerationOutput.write("\n") }
                try report(error, of: item)
            }
        }
        return failures
    }
}
