import Foundation
import NIOCore
import NIOPosix
import Image2Text

/// A decoded request waiting for, or running in, a batch. Its result is delivered once: by the model's thread, or
/// earlier by a cancellation (timeout, client gone), after which the model's result is dropped.
final class PendingJob: @unchecked Sendable {
    let request: InferenceRequest
    let media: VisualInput
    /// The generated text in pieces as it is decided (a streamed chat completion; ``TaskItem/onText``).
    let onText: (@Sendable (String) -> Void)?
    /// Alternatives per token when the result should carry its tokens' log-probabilities.
    let logProbabilityAlternatives: Int?
    let enqueued = ContinuousClock.now

    private let lock = NSLock()
    private var result: Result<TaskResult, any Error>?
    private var continuation: CheckedContinuation<TaskResult, any Error>?

    init(request: InferenceRequest, media: VisualInput, onText: (@Sendable (String) -> Void)? = nil,
         logProbabilityAlternatives: Int? = nil) {
        self.request = request
        self.media = media
        self.onText = onText
        self.logProbabilityAlternatives = logProbabilityAlternatives
    }

    /// The generation options of a caption or answer; nil for classification, which runs alone.
    var batchOptions: GenerationOptions? {
        if case .generate(_, let options) = request.task { return options }
        return nil
    }

    var isFinished: Bool { lock.withLock { result != nil } }

    /// Waits for the result, or for ``finish(_:)`` with a cancellation.
    func outcome() async throws -> TaskResult {
        try await withCheckedThrowingContinuation { continuation in
            let ready = lock.withLock {
                if result == nil { self.continuation = continuation }
                return result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Delivers `result` unless one was delivered already.
    func finish(_ result: Result<TaskResult, any Error>) {
        let waiting = lock.withLock { () -> CheckedContinuation<TaskResult, any Error>? in
            guard self.result == nil else { return nil }
            self.result = result
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(with: result)
    }
}

/// The requests waiting for the model, in arrival order. ``nextBatches(lanes:maxSize:maxWait:)`` hands out the oldest
/// one together with up to `maxSize - 1` later ones with the same generation options, waiting at most `maxWait` after
/// the oldest one arrived for the batches to fill (one per lane); the waiting requests are dealt into up to `lanes`
/// batches to run side by side.
final class BatchQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [PendingJob] = []
    private var closed = false
    /// Bumped on every change, so that a waiter never misses one that happened while it looked.
    private var version = 0
    private var waiter: CheckedContinuation<Void, Never>?

    var count: Int { lock.withLock { pending.count } }

    /// Adds `job`; refused once the queue is closed for shutdown.
    func enqueue(_ job: PendingJob) throws {
        try changing {
            guard !closed else { throw APIError.shuttingDown }
            pending.append(job)
        }
    }

    /// Takes out a job that no longer wants its result.
    func remove(_ job: PendingJob) {
        changing { pending.removeAll { $0 === job } }
    }

    /// Refuses new jobs; ``nextBatch(maxSize:maxWait:)`` still hands out the pending ones, then returns nil.
    func close() {
        changing { closed = true }
    }

    /// The next batches, at least one and at most `lanes`; nil when the queue is closed and empty.
    func nextBatches(lanes: Int, maxSize: Int, maxWait: Duration) async -> [[PendingJob]]? {
        while true {
            let (first, seen, full) = lock.withLock { () -> (PendingJob?, Int, Bool) in
                guard let first = pending.first else { return (nil, version, closed) }
                let options = first.batchOptions
                let compatible = options == nil ? 1 : pending.count(where: { $0.batchOptions == options })
                return (first, version, closed || compatible >= lanes * maxSize)
            }
            guard let first else {
                if full { return nil }  // closed and empty
                await waitForChange(since: seen, until: nil)
                continue
            }
            let deadline = first.enqueued + maxWait
            if full || first.batchOptions == nil || ContinuousClock.now >= deadline {
                let batches = take(from: first, lanes: lanes, maxSize: maxSize)
                if !batches.isEmpty { return batches }
                continue  // `first` was cancelled meanwhile
            }
            await waitForChange(since: seen, until: deadline)
        }
    }

    /// `first` (if still pending) and the oldest jobs sharing its options, removed from the queue and dealt into up to
    /// `lanes` batches of near-equal size; lanes left over take the next jobs with other options the same way.
    private func take(from first: PendingJob, lanes: Int, maxSize: Int) -> [[PendingJob]] {
        lock.withLock {
            guard pending.first === first else { return [] }
            var batches: [[PendingJob]] = []
            while batches.count < lanes, let head = pending.first {
                let free = lanes - batches.count
                let options = head.batchOptions
                // Classification runs alone: its labels are scored as a batch of their own.
                let group = options == nil ? [head] : Array(pending.lazy.filter { $0.batchOptions == options }.prefix(free * maxSize))
                let count = min(free, group.count)
                batches += (0..<count).map { lane in stride(from: lane, to: group.count, by: count).map { group[$0] } }
                pending.removeAll { job in group.contains { $0 === job } }
            }
            return batches
        }
    }

    /// Returns after the next change past `seen`, or at `deadline`. The timer runs on an event loop, not as a task,
    /// so that it fires on time however busy the task executors are.
    private func waitForChange(since seen: Int, until deadline: ContinuousClock.Instant?) async {
        let timer = deadline.map { deadline in
            MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(ContinuousClock.now.duration(to: deadline))) {
                [weak self] in self?.changing {}
            }
        }
        await withCheckedContinuation { continuation in
            let changed = lock.withLock {
                if version == seen { waiter = continuation }
                return version != seen
            }
            if changed { continuation.resume() }
        }
        timer?.cancel()
    }

    /// Runs `change` under the lock, then wakes the waiter.
    private func changing<T>(_ change: () throws -> T) rethrows -> T {
        let (value, waiting) = try lock.withLock { () throws -> (T, CheckedContinuation<Void, Never>?) in
            let value = try change()
            version += 1
            defer { waiter = nil }
            return (value, waiter)
        }
        waiting?.resume()
        return value
    }
}
