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

    /// Runs the batch through the library's ``TaskRunner``: each job gets its own result or failure.
    private func run(_ batch: [PendingJob]) {
        let started = ContinuousClock.now
        let jobs = batch.filter { !$0.isFinished }
        guard !jobs.isEmpty else { return }
        metrics.batch(size: jobs.count)
        let items = jobs.map { job in
            let queueSeconds = job.enqueued.duration(to: started).seconds
            metrics.queueWait(queueSeconds)
            let media = job.media
            return TaskItem(name: job.request.inputName, task: job.request.task.item, queueSeconds: queueSeconds, onText: job.onText,
                            logProbabilityAlternatives: job.logProbabilityAlternatives) { media }
        }
        let results = TaskRunner(model: model).run(items, options: jobs[0].batchOptions ?? GenerationOptions())
        for (job, result) in zip(jobs, results) { job.finish(result.mapError { $0 }) }
        logger.debug("batch done", metadata: ["batch_size": .stringConvertible(jobs.count),
                                              "seconds": .stringConvertible(started.duration(to: .now).seconds)])
    }
}
