import Foundation
import Image2TextTestSupport
import Image2Text
import Image2TextHub
import Testing

/// ``HubClient`` against ``MockHub`` on loopback: the cache layout huggingface_hub writes, redirects, resume,
/// verification, tokens and offline mode.
@Suite struct HubClientTests {
    let fileManager = FileManager.default

    /// Starts a hub (serving the fixture's repositories unless told otherwise), runs `body` with it and a fresh cache
    /// folder, and cleans both up.
    func withHub(_ repositories: [MockHub.Repository]? = nil, fault: MockHub.Fault = .none,
                 _ body: (MockHub, URL) async throws -> Void) async throws {
        // On a thread of their own: the timeouts measured must not wait for the model suites running alongside.
        try await onDedicatedThread {
            let hub = try await MockHub.start(try repositories ?? HubFixture.repositories(), fault: fault)
            let cache = try HubFixture.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: cache) }
            do {
                try await body(hub, cache)
                try await hub.shutdown()
            } catch {
                try? await hub.shutdown()
                throw error
            }
        }
    }

    func repositoryFolder(_ cache: URL) -> URL {
        HubCache(root: cache).repositoryFolder(HubFixture.repositoryID)
    }

    @Test("A download leaves the layout huggingface_hub writes, and the snapshot loads and captions")
    func downloadLayout() async throws {
        try await withHub { hub, cache in
            let progress = ProgressRecorder()
            let folder = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID, progress: progress)
            let repository = repositoryFolder(cache)
            #expect(folder.path == repository.appendingPathComponent("snapshots/\(HubFixture.commit)").path)
            let ref = try String(contentsOf: repository.appendingPathComponent("refs/main"), encoding: .utf8)
            #expect(ref == HubFixture.commit)

            let files = try HubFixture.modelFiles()
            let configLink = try fileManager.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("config.json").path)
            #expect(configLink == "../../blobs/\(MockHub.blobID(of: files["config.json"]!))")
            let weightsLink = try fileManager.destinationOfSymbolicLink(atPath: folder.appendingPathComponent("model.safetensors").path)
            #expect(weightsLink == "../../blobs/\(try HubFixture.weightsSHA256())")
            #expect(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")) == files["model.safetensors"])

            let snapshotFiles = try fileManager.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(snapshotFiles == files.keys.filter { $0 != "README.md" }.sorted())
            let blobs = try fileManager.contentsOfDirectory(atPath: repository.appendingPathComponent("blobs").path)
            #expect(blobs.count == snapshotFiles.count)
            #expect(!blobs.contains { $0.hasSuffix(".incomplete") })

            let finalReports = Dictionary(progress.reports.map { ($0.file, $0) }) { $1 }
            #expect(finalReports.keys.sorted() == snapshotFiles)
            for (file, report) in finalReports {
                #expect(report.isComplete && report.totalBytes == Int64(files[file]!.count), "\(file)")
            }

            let model = try GITModel(directory: folder)
            let image = try ImageDecoder.decode(contentsOf: Repository.root.appendingPathComponent("Fixtures/easyvqa/0.png"))
            #expect(try model.caption(image).generatedText == "a red triangle")
        }
    }

    @Test("LFS files are fetched from the CDN the hub redirects to; a second resolution downloads nothing")
    func cachedFilesAreReused() async throws {
        try await withHub { hub, cache in
            let client = try HubFixture.client(cache: cache, hub: hub)
            _ = try await client.snapshot(of: HubFixture.repositoryID)
            let cdnRequests = hub.requests.filter { $0.path.hasPrefix("/blobs-cdn/") }
            #expect(cdnRequests.map(\.path) == ["/blobs-cdn/\(try HubFixture.weightsSHA256())"])
            let before = hub.requests.count
            _ = try await client.snapshot(of: HubFixture.repositoryID)
            #expect(hub.requests.dropFirst(before).map(\.path) == ["/api/models/image2text/git-tiny-easyvqa/revision/main"])
        }
    }

    @Test("An interrupted download resumes with a Range request and yields the right blob")
    func interruptedDownloadResumes() async throws {
        try await withHub(fault: .cutConnectionOnce) { hub, cache in
            let folder = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID)
            let cdnRequests = hub.requests.filter { $0.path.hasPrefix("/blobs-cdn/") }
            #expect(cdnRequests.count == 2)
            #expect(cdnRequests.first?.range == nil)
            let resumedFrom = cdnRequests.last?.range.flatMap { Int($0.dropFirst("bytes=".count).dropLast()) }
            #expect((resumedFrom ?? 0) > 0)
            let weights = try Data(contentsOf: folder.appendingPathComponent("model.safetensors"))
            #expect(weights == (try HubFixture.modelFiles())["model.safetensors"])
        }
    }

    @Test("A partial .incomplete blob from an earlier run is resumed, not downloaded again")
    func incompleteBlobFromEarlierRunResumes() async throws {
        try await withHub { hub, cache in
            let sha = try HubFixture.weightsSHA256()
            let weights = try HubFixture.modelFiles()["model.safetensors"]!
            let blobs = repositoryFolder(cache).appendingPathComponent("blobs")
            try fileManager.createDirectory(at: blobs, withIntermediateDirectories: true)
            try weights.prefix(1000).write(to: blobs.appendingPathComponent("\(sha).incomplete"))

            _ = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID)
            #expect(hub.requests.filter { $0.path.hasPrefix("/blobs-cdn/") }.map(\.range) == ["bytes=1000-"])
            #expect(try Data(contentsOf: blobs.appendingPathComponent(sha)) == weights)
            #expect(!fileManager.fileExists(atPath: blobs.appendingPathComponent("\(sha).incomplete").path))
        }
    }

    @Test("Corrupted bytes fail the sha256 check and leave nothing in blobs/ or snapshots/")
    func corruptedDownloadIsRejected() async throws {
        try await withHub(fault: .corruptBytes) { hub, cache in
            let sha = try HubFixture.weightsSHA256()
            await #expect {
                try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID)
            } throws: { error in
                guard case .checksumMismatch(let repository, let file, let expected, _) = error as? HubError else { return false }
                return repository == "image2text/git-tiny-easyvqa" && file == "model.safetensors" && expected == sha
            }
            let repository = repositoryFolder(cache)
            let blobs = try fileManager.contentsOfDirectory(atPath: repository.appendingPathComponent("blobs").path)
            #expect(!blobs.contains { $0.hasPrefix(sha) })
            let snapshot = repository.appendingPathComponent("snapshots/\(HubFixture.commit)/model.safetensors")
            #expect((try? fileManager.destinationOfSymbolicLink(atPath: snapshot.path)) == nil)
            #expect(!fileManager.fileExists(atPath: repository.appendingPathComponent("refs/main").path))
        }
    }

    @Test("A gated repository answers 401 without HF_TOKEN, and downloads with it as a Bearer token")
    func gatedRepositoryNeedsToken() async throws {
        try await withHub { hub, cache in
            await #expect {
                try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.gatedID)
            } throws: { error in
                guard case .unauthorized(let repository, _, 401) = error as? HubError else { return false }
                return repository == "image2text/gated-tiny" && "\(error)".contains("set HF_TOKEN")
            }
            let client = try HubFixture.client(cache: cache, hub: hub, extra: ["HF_TOKEN": HubFixture.token])
            _ = try await client.snapshot(of: HubFixture.gatedID)
            let hubRequests = hub.requests.filter { !$0.path.hasPrefix("/blobs-cdn/") && $0.authorization != nil }
            #expect(hubRequests.allSatisfy { $0.authorization == "Bearer \(HubFixture.token)" })
            // The token is not sent to the CDN, another host.
            #expect(hub.requests.filter { $0.path.hasPrefix("/blobs-cdn/") }.allSatisfy { $0.authorization == nil })
        }
    }

    @Test("An unknown revision is a typed 404 naming repository and revision")
    func unknownRevision() async throws {
        try await withHub { hub, cache in
            await #expect(throws: HubError.repositoryNotFound(
                repository: "image2text/git-tiny-easyvqa", revision: "v9",
                url: "\(hub.endpoint)/api/models/image2text/git-tiny-easyvqa/revision/v9")) {
                try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID, revision: "v9")
            }
        }
    }

    @Test("Offline without a cached snapshot fails with a typed error and makes no request")
    func offlineWithoutSnapshot() async throws {
        try await withHub { hub, cache in
            let client = try HubFixture.client(cache: cache, hub: hub, extra: ["HF_HUB_OFFLINE": "1"])
            await #expect(throws: HubError.offlineSnapshotMissing(
                repository: "image2text/git-tiny-easyvqa", revision: "main", cache: client.cache.root)) {
                try await client.snapshot(of: HubFixture.repositoryID)
            }
            #expect(hub.requests.isEmpty)
        }
    }

    @Test("Offline with a cached snapshot resolves branch and commit hash without the network")
    func offlineWithSnapshot() async throws {
        try await withHub { hub, cache in
            let online = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubFixture.repositoryID)
            let before = hub.requests.count
            let client = try HubFixture.client(cache: cache, hub: hub, extra: ["HF_HUB_OFFLINE": "1"])
            #expect(try await client.snapshot(of: HubFixture.repositoryID) == online)
            #expect(try await client.snapshot(of: HubFixture.repositoryID, revision: HubFixture.commit) == online)
            #expect(hub.requests.count == before)
        }
    }

    @Test("Sharded weights: the index and the shards it names are fetched, other files are not")
    func shardedWeights() async throws {
        let index = #"{"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}"#
        let files = [
            "config.json": Data("{}".utf8), "model.safetensors.index.json": Data(index.utf8),
            "model-00001-of-00002.safetensors": Data(repeating: 1, count: 3000),
            "model-00002-of-00002.safetensors": Data(repeating: 2, count: 2000),
            "pytorch_model.bin": Data(repeating: 3, count: 100), "README.md": Data("# sharded".utf8),
        ]
        let repository = MockHub.Repository(id: "image2text/sharded", commit: HubFixture.commit, files: files,
                                            lfsFiles: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
        try await withHub([repository]) { hub, cache in
            let folder = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: HubRepositoryID("image2text/sharded")!)
            #expect(try fileManager.contentsOfDirectory(atPath: folder.path).sorted() == [
                "config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json",
            ])
            #expect(try Data(contentsOf: folder.appendingPathComponent("model-00002-of-00002.safetensors")) == files["model-00002-of-00002.safetensors"])
        }
    }

    @Test("When the hub cannot be reached, a complete cached snapshot is used; without one the error names the URL")
    func unreachableHubFallsBackToCache() async throws {
        try await onDedicatedThread {
            let hub = try await MockHub.start(try HubFixture.repositories())
            let cache = try HubFixture.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: cache) }
            // Bounded, yet long enough for the online resolution on a machine busy compiling.
            let client = try HubFixture.client(cache: cache, hub: hub, extra: ["HF_HUB_ETAG_TIMEOUT": "10"])
            let online = try await client.snapshot(of: HubFixture.repositoryID)
            try await hub.shutdown()
            #expect(try await client.snapshot(of: HubFixture.repositoryID) == online)
            await #expect {
                try await client.snapshot(of: HubFixture.gatedID)
            } throws: { error in
                guard case .network(let repository, let url, _) = error as? HubError else { return false }
                return repository == "image2text/gated-tiny" && url.hasPrefix(hub.endpoint)
            }
        }
    }
}

/// Keeps every progress report.
final class ProgressRecorder: DownloadProgressReporting, @unchecked Sendable {
    private let lock = NSLock()
    private var _reports: [DownloadProgress] = []

    var reports: [DownloadProgress] { lock.withLock { _reports } }

    func report(_ progress: DownloadProgress) { lock.withLock { _reports.append(progress) } }
}
