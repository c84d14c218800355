import Foundation
import Image2Text
@testable import Image2TextServer
import Testing
import Image2TextTestSupport

/// How waiting requests are handed to the model: one batch per kernel thread when enough wait, dealt evenly.
@Suite struct BatchQueueTests {
    let png = try! Repository.fixtureData("easyvqa/0.png")
    let media = VisualInput.image(RGBImage(width: 1, height: 1, pixels: [0, 0, 0])!)

    func job(_ endpoint: Endpoint, _ fields: [String: RequestFields.Value] = [:]) throws -> PendingJob {
        let request = try InferenceRequest(endpoint: endpoint, fields: RequestFields(fields.merging(["image": .bytes(png)]) { $1 }),
                                           defaults: .init(), model: Repository.model)
        return PendingJob(request: request, media: media)
    }

    func take(_ queue: BatchQueue, lanes: Int, from jobs: [PendingJob]) async throws -> [[Int]] {
        let batches = try #require(await queue.nextBatches(lanes: lanes, maxSize: 8, maxWait: .zero))
        return batches.map { batch in batch.map { job in jobs.firstIndex { $0 === job }! } }
    }

    @Test("waiting captions are dealt into one batch per lane in arrival order, sizes within one, at most maxSize each")
    func dealsEvenly() async throws {
        let queue = BatchQueue()
        let jobs = try (0..<21).map { _ in try job(.caption) }
        for job in jobs { try queue.enqueue(job) }
        #expect(try await take(queue, lanes: 2, from: jobs) == [[0, 2, 4, 6, 8, 10, 12, 14], [1, 3, 5, 7, 9, 11, 13, 15]])
        #expect(try await take(queue, lanes: 2, from: jobs) == [[16, 18, 20], [17, 19]])
        try queue.enqueue(jobs[0])
        #expect(try await take(queue, lanes: 2, from: jobs) == [[0]])
    }

    @Test("a classification is a batch of its own; lanes left over take requests with other options; the rest wait")
    func otherOptionsFillFreeLanes() async throws {
        let queue = BatchQueue()
        let jobs = try [job(.classify, ["labels": .list([.text("a"), .text("b")])]),
                        job(.caption, ["max_new_tokens": .number("3")]), job(.caption, ["max_new_tokens": .number("5")]),
                        job(.caption, ["max_new_tokens": .number("3")])]
        for job in jobs { try queue.enqueue(job) }
        #expect(try await take(queue, lanes: 3, from: jobs) == [[0], [1], [3]])
        #expect(try await take(queue, lanes: 3, from: jobs) == [[2]])
        queue.close()
        #expect(await queue.nextBatches(lanes: 3, maxSize: 8, maxWait: .zero) == nil)
    }
}
