import Foundation
import Image2TextTestSupport
import Image2TextHub
import Testing

/// `HF_HUB_ETAG_TIMEOUT` and `HF_HUB_DOWNLOAD_TIMEOUT` against a mock hub that falls silent.
extension HubClientTests {
    // The time limit turns a timeout that never fires into a failure instead of a hang.
    @Test("A hub that never answers: after about HF_HUB_ETAG_TIMEOUT an error naming it, or the cached snapshot", .timeLimit(.minutes(1)))
    func silentHub() async throws {
        try await withHub { hub, cache in
            let cached = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID)
            let silent = try await MockHub.start(try HubFixture.repositories(), fault: .neverAnswer)
            let client = try HubFixture.client(cache: cache, hub: silent, extra: ["HF_HUB_ETAG_TIMEOUT": "1"])
            let clock = ContinuousClock()
            var start = clock.now
            await #expect {
                try await client.snapshot(of: HubFixture.gatedID)
            } throws: { error in
                error as? HubError == .timedOut(repository: "image2text/gated-tiny",
                                                url: "\(silent.endpoint)/api/models/image2text/gated-tiny/revision/main",
                                                seconds: 1, variable: "HF_HUB_ETAG_TIMEOUT")
                    && "\(error)".hasSuffix("within 1 s (HF_HUB_ETAG_TIMEOUT)")
            }
            // Bounds loose enough for a loaded machine, yet below the 10 s default.
            var elapsed = clock.now - start
            #expect(elapsed > .milliseconds(900) && elapsed < .seconds(8), "\(elapsed)")
            // A repository whose snapshot is cached resolves to it once the hub has not answered in time.
            start = clock.now
            #expect(try await client.snapshot(of: HubFixture.repositoryID) == cached)
            elapsed = clock.now - start
            #expect(elapsed < .seconds(8), "\(elapsed)")
            try await silent.shutdown()
        }
    }

    @Test("A CDN that falls silent halfway: each attempt stops after about HF_HUB_DOWNLOAD_TIMEOUT, the next resumes, then an error naming it",
          .timeLimit(.minutes(1)))
    func silentDownload() async throws {
        try await withHub(fault: .stallHalfway) { hub, cache in
            var client = try HubFixture.client(cache: cache, hub: hub, extra: ["HF_HUB_DOWNLOAD_TIMEOUT": "1"])
            client.maxAttempts = 2
            let url = "http://127.0.0.1:\(hub.cdnPort)/blobs-cdn/\(try HubFixture.weightsSHA256())"
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: HubError.timedOut(repository: HubFixture.repositoryID.description, url: url, seconds: 1,
                                                    variable: "HF_HUB_DOWNLOAD_TIMEOUT")) {
                try await client.snapshot(of: HubFixture.repositoryID)
            }
            // Bounds loose enough for a loaded machine, yet below the 2 × 10 s the default would take.
            let elapsed = clock.now - start
            #expect(elapsed > .milliseconds(1800) && elapsed < .seconds(15), "\(elapsed)")
            let cdnRequests = hub.requests.filter { $0.path.hasPrefix("/blobs-cdn/") }
            #expect(cdnRequests.count == 2)
            #expect(cdnRequests.first?.range == nil && cdnRequests.last?.range != nil)
        }
    }
}
