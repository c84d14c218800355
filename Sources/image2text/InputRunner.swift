import Foundation
import Image2Text
import Image2TextDatasets
import Image2TextKernels

/// One input and the questions asked of it: one task each (nil: a caption, or a classification without a question).
struct WorkItem {
    let input: DatasetInput
    let questions: [String?]
}

/// Runs the CLI's work items through the library's ``TaskRunner``, each input read and encoded once for all its
/// questions, and hands each item's outcomes on in input order.
struct InputRunner {
    let model: GITModel
    let options: GenerationOptions
    let input: InputOptions
    /// The task of a question.
    let task: (String?) -> TaskItem.Task

    typealias Outcomes = [Result<TaskResult, TaskFailure>]

    /// Runs each batch and hands every item's outcomes (one per question) to `deliver`, in input order; an error
    /// `deliver` throws stops the run and is thrown here. Several batches run side by side, one per kernel thread with
    /// single-threaded kernels: for many images that beats splitting each product across the threads (nothing waits
    /// between products, and each core decodes its own batch).
    func run(_ batches: [[WorkItem]], deliver: @escaping (WorkItem, Outcomes) throws -> Void) throws {
        let runner = TaskRunner(model: model)
        func outcomes(_ batch: [WorkItem]) -> [Outcomes] {
            runner.run(batch.map { input.group($0.input, tasks: $0.questions.map(task), model: model) }, options: options)
        }
        func hand(_ batch: [WorkItem], _ results: [Outcomes]) throws {
            for (item, result) in zip(batch, results) { try deliver(item, result) }
        }
        guard batches.count > 1, KernelThreads.available > 1 else {
            for batch in batches { try hand(batch, outcomes(batch)) }
            return
        }
        var stop: (any Error)?
        let delivery = InOrderDelivery<[Outcomes]> { index, results in
            do {
                try hand(batches[index], results)
                return true
            } catch {
                stop = error
                return false
            }
        }
        KernelThreads.run(parts: batches.count) { index in
            guard !delivery.isStopped else { return }
            delivery.put(outcomes(batches[index]), at: index)
        }
        if let stop { throw stop }
    }

    /// Prints each item's text piece by piece as it is generated (one question each); returns how many failed.
    func stream(_ items: [WorkItem], labelled: Bool) async throws -> Int {
        var failures = 0
        func report(_ error: any Error, of item: DatasetInput) throws {
            let failure = TaskFailure(error)
            if failure.fault == .request { throw failure }
            GenerationOutput.printError(GenerationOutput.imageProblem(failure, input: item).description)
            failures += 1
        }
        for item in items {
            for question in item.questions {
                let request: GenerationRequest
                do {
                    request = try model.request(question: question, image: model.encode(InputOptions.read(item.input, reader: input.reader, model: model)))
                } catch {
                    try report(error, of: item.input)
                    continue
                }
                if labelled { GenerationOutput.write("\(item.input.printableLabel): ") }
                do {
                    for try await piece in model.textStream(request, options: options) { GenerationOutput.write(piece) }
                    GenerationOutput.write("\n")
                } catch {
                    if TaskFailure(error).fault != .request { GenerationOutput.write("\n") }
                    try report(error, of: item.input)
                }
            }
        }
        return failures
    }
}
