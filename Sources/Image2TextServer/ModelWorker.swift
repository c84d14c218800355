import Dispatch
import Foundation
import Image2Text
import Image2TextKernels
import Logging
import ServiceLifecycle

/// Runs the queued requests through the model on a thread of its own (the cooperative thread pool stays free for the
/// network). A lone batch uses every kernel thread; when more requests wait, up to one batch per kernel thread run side
/// by side, each with single-threaded kernels (no waiting between products, and each core decodes its own batch).
/// On graceful shutdown it closes the queue and finishes every request already in it.
final class ModelWorker: Service, Sendable {
    let model: GITModel
    let queue: BatchQueue
    let maxBatchSize: Int
    let maxBatchWait: Duration
    let metrics: ServerMetrics
    let logger: Logger
    private let thread = DispatchQueue(label: "image2text.model")

    init(model: GITModel, queue: BatchQueue, configuration: ServerConfiguration, metrics: ServerMetrics, logger: Logger) {
        self.model = model
        self.queue = queue
        maxBatchSize = configuration.maxBatchSize
        maxBatchWait = configuration.maxBatchWait
        self.metrics = metrics
        self.logger = logger
    }

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                while let batches = await queue.nextBatches(lanes: KernelThreads.available, maxSize: maxBatchSize, maxWait: maxBatchWait) {
                    await withCheckedContinuation { continuation in
                        thread.async {
                            KernelThreads.run(parts: batches.count) { self.run(batches[$0]) }
                            continuation.resume()
                        }
                    }
                }
                try Task.checkCancellation()
            } onCancel: {
                queue.close()
            }
        } onGracefulShutdown: {
            self.queue.close()
        }
    }

    /// Encodes every job's media, then decodes the batch (or scores a classification's labels).
    private func run(_ batch: [PendingJob]) {
        let started = ContinuousClock.now
        var encoded: [(job: PendingJob, image: ImageContext, encodeSeconds: Double)] = []
        for job in batch where !job.isFinished {
            let encodeStart = ContinuousClock.now
            do {
                let image = try encode(job.media)
                encoded.append((job, image, encodeStart.duration(to: .now).seconds))
            } catch {
                job.finish(.failure(error))
            }
        }
        guard !encoded.isEmpty else { return }
        metrics.batch(size: encoded.count)
        let generateStart = ContinuousClock.now
        let outputs = outputs(for: encoded.map { ($0.job.request.task, $0.image) })
        let generateSeconds = generateStart.duration(to: .now).seconds
        for ((job, _, encodeSeconds), output) in zip(encoded, outputs) {
            let timings = InferenceTimings(queueSeconds: job.enqueued.duration(to: started).seconds, encodeSeconds: encodeSeconds,
                                           generateSeconds: generateSeconds, batchSize: encoded.count)
            metrics.queueWait(timings.queueSeconds)
            job.finish(output.map { ($0, timings) })
        }
        logger.debug("batch done", metadata: ["batch_size": "\(encoded.count)", "seconds": "\(started.duration(to: .now).seconds)"])
    }

    private func encode(_ media: DecodedMedia) throws -> ImageContext {
        switch media {
        case .image(let image): try model.encode(image)
        case .frames(let frames): try model.encode(frames: frames)
        }
    }

    /// One output per task. Captions and answers of a batch share their options (``BatchQueue``) and are decoded
    /// together; if that fails, each is decoded alone so that one bad request does not fail the others.
    private func outputs(for tasks: [(InferenceRequest.Task, ImageContext)]) -> [Result<InferenceOutput, any Error>] {
        guard case .generate(_, let options) = tasks[0].0 else {
            return tasks.map { task, image in
                Result {
                    guard case .classify(let labels, let question) = task else { preconditionFailure("classification runs alone") }
                    return .classification(try model.classify(image, labels: labels, question: question))
                }
            }
        }
        let requests = tasks.map { task, image in
            Result { () throws -> GenerationRequest in
                guard case .generate(let question, _) = task else { preconditionFailure("a batch shares one task") }
                return try model.request(question: question, image: image)
            }
        }
        let valid = requests.compactMap { try? $0.get() }
        if valid.count == requests.count, let sequences = try? model.generate(valid, options: options) {
            return sequences.map { .success(.sequences($0)) }
        }
        return requests.map { request in
            Result { .sequences(try model.generate([request.get()], options: options)[0]) }
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
