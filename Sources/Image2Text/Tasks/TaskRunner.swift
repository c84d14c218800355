import Foundation

/// Runs a batch of tasks through one model for every front end: reads and encodes each input, decodes the captions
/// and answers together, and gives each input its own result or ``TaskFailure``, so that one input's failure does not
/// sink the others.
public struct TaskRunner: Sendable {
    public let model: GITModel

    public init(model: GITModel) {
        self.model = model
    }

    /// One result per item, in order. Captions and answers share `options` and are decoded as one batch; when that
    /// fails, each is decoded alone to find the input at fault. Classifications are scored one by one.
    public func run(_ items: [TaskItem], options: GenerationOptions) -> [Result<TaskResult, TaskFailure>] {
        run(items.map(TaskGroup.init), options: options).map { $0[0] }
    }

    /// One result per task of each group, in order: each group's input is read and encoded once for all its tasks
    /// (``encodeSeconds`` is that one encoding's, in each of its results); every caption and answer of the batch is
    /// decoded together, as ``run(_:options:)-([TaskItem],_)`` does.
    public func run(_ groups: [TaskGroup], options: GenerationOptions) -> [[Result<TaskResult, TaskFailure>]] {
        var results = groups.map { [Result<TaskResult, TaskFailure>?](repeating: nil, count: $0.tasks.count) }
        var ready: [(group: Int, task: Int, request: GenerationRequest, encodeSeconds: Double)] = []
        for (groupIndex, group) in groups.enumerated() {
            let started = ContinuousClock.now
            let image: ImageContext
            do {
                image = try model.encode(group.read())
            } catch {
                results[groupIndex] = group.tasks.map { _ in .failure(TaskFailure(error)) }
                continue
            }
            let encodeSeconds = started.duration(to: .now).seconds
            for (taskIndex, task) in group.tasks.enumerated() {
                do {
                    switch task {
                    case .generate(let question):
                        var request = try model.request(question: question, image: image)
                        request.onText = group.onText
                        ready.append((groupIndex, taskIndex, request, encodeSeconds))
                    case .classify(let labels, let question):
                        let scored = ContinuousClock.now
                        let classification = try model.classify(image, labels: labels, question: question)
                        let timings = TaskResult.Timings(queueSeconds: group.queueSeconds, encodeSeconds: encodeSeconds,
                                                         generateSeconds: scored.duration(to: .now).seconds, batchSize: 1)
                        results[groupIndex][taskIndex] = .success(TaskResult(input: group.name, classification: classification, timings: timings))
                    }
                } catch {
                    results[groupIndex][taskIndex] = .failure(TaskFailure(error))
                }
            }
        }
        for (index, result) in generate(ready.map(\.request), options: options).enumerated() {
            let (groupIndex, taskIndex, request, encodeSeconds) = ready[index]
            let group = groups[groupIndex]
            results[groupIndex][taskIndex] = result.flatMap { sequences, seconds in
                let timings = TaskResult.Timings(queueSeconds: group.queueSeconds, encodeSeconds: encodeSeconds,
                                                 generateSeconds: seconds, batchSize: ready.count)
                var generated = TaskResult(input: group.name, generated: sequences, isAnswer: request.promptIds.count > 1, timings: timings)
                guard let alternatives = group.logProbabilityAlternatives else { return .success(generated) }
                return Result {
                    generated.setTokenLogProbabilities(try model.tokenLogProbabilities(sequences, image: request.image, alternatives: alternatives))
                    return generated
                }.mapError(TaskFailure.init)
            }
        }
        return results.map { $0.map { $0! } }
    }

    /// The sequences of each request and the seconds they took: the batch's, or each request's own when the batch
    /// failed and they were decoded one by one.
    private func generate(_ requests: [GenerationRequest], options: GenerationOptions)
        -> [Result<([GenerationResult], Double), TaskFailure>] {
        guard !requests.isEmpty else { return [] }
        let started = ContinuousClock.now
        do {
            let sequences = try model.generate(requests, options: options)
            let seconds = started.duration(to: .now).seconds
            return sequences.map { .success(($0, seconds)) }
        } catch {
            if requests.count == 1 { return [.failure(TaskFailure(error))] }
            return requests.map { request in
                let alone = ContinuousClock.now
                var request = request
                request.onText = nil  // its pieces may have been sent already: the result carries the whole text
                return Result { (try model.generate([request], options: options)[0], alone.duration(to: .now).seconds) }
                    .mapError(TaskFailure.init)
            }
        }
    }
}

extension Duration {
    /// The duration in seconds.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
