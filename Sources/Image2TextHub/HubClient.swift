import Foundation
import Image2TextNetworking

/// Resolves a model repository on the Hugging Face Hub to a local snapshot folder that `GITModel(directory:)` loads,
/// downloading into the huggingface_hub cache what is not there yet.
///
/// Online: `GET /api/models/REPO/revision/REV` lists the revision's files and its commit; each file the model needs
/// is looked up with `HEAD /REPO/resolve/COMMIT/FILE` and, unless its blob is cached, downloaded (see ``HubCache``
/// for the layout). The optional files (configuration, processor, tokenizer) the revision lacks are recorded in
/// `.no_exist/COMMIT/`, as huggingface_hub records a `404`. Offline (`HF_HUB_OFFLINE`), or when the hub cannot be
/// reached or does not answer in time: the cached snapshot of the revision, or ``HubError/offlineSnapshotMissing``
/// (offline) / ``HubError/network`` / ``HubError/timedOut`` (unreachable).
public struct HubClient: Sendable {
    /// Cache location, endpoint, token and offline mode.
    public let environment: HubEnvironment
    /// Attempts per file before a broken connection is reported; each one resumes where the previous stopped.
    public var maxAttempts: Int

    /// A client with the given settings (`try HubEnvironment()` reads those of the process environment).
    public init(environment: HubEnvironment, maxAttempts: Int = 3) {
        self.environment = environment
        self.maxAttempts = max(1, maxAttempts)
    }

    /// The cache this client reads and writes.
    public var cache: HubCache { HubCache(root: environment.cacheRoot) }

    /// Returns `snapshots/COMMIT/` of `revision` (a branch, tag or commit hash) holding the files the model needs.
    public func snapshot(of repository: HubRepositoryID, revision: String = "main",
                         progress: (any DownloadProgressReporting)? = nil) async throws -> URL {
        if environment.offline { return try cachedSnapshot(of: repository, revision: revision) }
        let http = HubHTTP(repository: repository, environment: environment)
        do {
            let folder = try await download(repository, revision: revision, progress: progress, http: http)
            http.shutdown()
            return folder
        } catch {
            http.shutdown()
            // As huggingface_hub does when the hub cannot be reached: a complete cached snapshot will do.
            if (error as? HubError)?.isConnectionProblem == true, let cached = try? cachedSnapshot(of: repository, revision: revision) {
                return cached
            }
            throw error
        }
    }

    /// The cached snapshot of `revision` with every file the model needs, without using the network. An optional file
    /// the snapshot lacks must be marked absent in `.no_exist/COMMIT/` — unless the commit has no such records at all
    /// (a `snapshot_download` copy, which records nothing and which huggingface_hub trusts as it is).
    public func cachedSnapshot(of repository: HubRepositoryID, revision: String = "main") throws -> URL {
        guard let commit = cache.cachedCommit(repository, revision: revision) else {
            throw HubError.offlineSnapshotMissing(repository: repository.description, revision: revision, cache: cache.root)
        }
        let folder = cache.snapshotFolder(repository, commit: commit)
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: folder.path)) ?? []
        guard !files.isEmpty else {
            throw HubError.offlineSnapshotMissing(repository: repository.description, revision: revision, cache: cache.root)
        }
        let selection = try ModelFileSelection(repository: repository, revision: revision, files: files)
        let optionalFiles = cache.recordsAbsences(repository, commit: commit)
            ? ModelFileSelection.supportFiles.filter { !cache.isMarkedAbsent(repository, commit: commit, file: $0) }
            : selection.supportFiles
        var needed = optionalFiles + [selection.weights]
        if selection.weightsAreIndexed {
            needed += try ModelFileSelection.shards(inIndex: folder.appendingPathComponent(selection.weights), repository: repository)
        }
        // A link whose blob is gone (or never finished) does not count.
        if let missing = needed.first(where: { !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) {
            throw HubError.offlineFileMissing(repository: repository.description, revision: revision, file: missing, snapshot: folder)
        }
        return folder
    }

    private func download(_ repository: HubRepositoryID, revision: String, progress: (any DownloadProgressReporting)?,
                          http: HubHTTP) async throws -> URL {
        let info = try await revisionInfo(repository, revision: revision, http: http)
        let selection = try ModelFileSelection(repository: repository, revision: revision, files: info.siblings.map(\.rfilename))
        let folder = cache.snapshotFolder(repository, commit: info.sha)
        // The listing is the hub's answer for every file at this commit. As in huggingface_hub, a marker that cannot be
        // written (a read-only shared cache) only costs a later offline resolution, so it does not stop this one.
        for file in ModelFileSelection.supportFiles where !selection.supportFiles.contains(file) {
            try? cache.markAbsent(repository, commit: info.sha, file: file)
        }
        for file in selection.supportFiles {
            try await fetch(file, of: repository, commit: info.sha, http: http, progress: progress, optional: true)
        }
        try await fetch(selection.weights, of: repository, commit: info.sha, http: http, progress: progress)
        if selection.weightsAreIndexed {
            let shards = try ModelFileSelection.shards(inIndex: folder.appendingPathComponent(selection.weights), repository: repository)
            for shard in shards {
                try await fetch(shard, of: repository, commit: info.sha, http: http, progress: progress)
            }
        }
        try cache.writeRef(repository, revision: revision, commit: info.sha)
        return folder
    }

    /// The `GET /api/models/REPO/revision/REV` answer, as much of it as is used.
    struct RevisionInfo: Decodable {
        struct Sibling: Decodable { let rfilename: String }
        let sha: String
        let siblings: [Sibling]
    }

    private func revisionInfo(_ repository: HubRepositoryID, revision: String, http: HubHTTP) async throws -> RevisionInfo {
        let url = endpoint("api/models/\(repository)/revision/\(HubHTTP.escapeSegment(revision))")
        let reply = try await http.send("GET", url, redirects: .all, purpose: .metadata)
        try http.check(reply, notFound: HubError.repositoryNotFound(repository: repository.description, revision: revision, url: url))
        let body: Data
        do { body = try await reply.body.collect(upTo: 64 << 20) } catch {
            throw http.failure(error, url: url, purpose: .metadata)
        }
        do {
            let info = try JSONDecoder().decode(RevisionInfo.self, from: body)
            guard HubCache.isCommitHash(info.sha) else {
                throw HubError.invalidResponse(repository: repository.description, url: url, reason: "'sha' is not a commit hash: \(info.sha)")
            }
            return info
        } catch let error as HubError { throw error } catch {
            throw HubError.invalidResponse(repository: repository.description, url: url, reason: String(describing: error))
        }
    }

    /// Makes `snapshots/COMMIT/FILE` point at a complete blob, downloading it if the cache lacks it. An `optional`
    /// file the hub answers 404 for is marked absent instead, as huggingface_hub does.
    private func fetch(_ file: String, of repository: HubRepositoryID, commit: String, http: HubHTTP,
                       progress: (any DownloadProgressReporting)?, optional: Bool = false) async throws {
        if FileManager.default.fileExists(atPath: cache.snapshotFolder(repository, commit: commit).appendingPathComponent(file).path) {
            return
        }
        let metadata: HubFileMetadata
        do {
            metadata = try await self.metadata(of: file, in: repository, commit: commit, http: http)
        } catch HubError.fileNotFound where optional {
            try? cache.markAbsent(repository, commit: commit, file: file)
            return
        }
        if FileManager.default.fileExists(atPath: cache.blob(repository, etag: metadata.etag).path) {
            progress?.report(DownloadProgress(file: file, completedBytes: metadata.size, totalBytes: metadata.size))
        } else {
            _ = try await BlobDownload(http: http, cache: cache, file: file, metadata: metadata, maxAttempts: maxAttempts,
                                       progress: progress).run()
        }
        try cache.link(repository, commit: commit, file: file, etag: metadata.etag)
    }

    /// `HEAD /REPO/resolve/COMMIT/FILE`, stopping at a redirect to another host (the CDN), whose target is where the
    /// bytes are.
    private func metadata(of file: String, in repository: HubRepositoryID, commit: String, http: HubHTTP) async throws -> HubFileMetadata {
        let url = endpoint("\(repository)/resolve/\(commit)/\(HubHTTP.escapePath(file))")
        let reply = try await http.send("HEAD", url, headers: [("Accept-Encoding", "identity")], redirects: .sameHostOnly,
                                        purpose: .metadata)
        try http.check(reply, notFound: HubError.fileNotFound(repository: repository.description, revision: commit, file: file, url: url))
        func invalid(_ reason: String) -> HubError {
            .invalidResponse(repository: repository.description, url: reply.url.absoluteString, reason: reason)
        }
        guard let etag = (reply.header("X-Linked-Etag") ?? reply.header("ETag")).map(HubFileMetadata.normalizeETag), !etag.isEmpty else {
            throw invalid("no ETag header")
        }
        guard let size = (reply.header("X-Linked-Size") ?? reply.header("Content-Length")).flatMap({ Int64($0) }) else {
            throw invalid("no X-Linked-Size or Content-Length header")
        }
        guard let repoCommit = reply.header("X-Repo-Commit") else { throw invalid("no X-Repo-Commit header") }
        var downloadURL = reply.url.absoluteString
        if (300..<400).contains(reply.status), let location = reply.header("Location"),
           let target = URL(string: location, relativeTo: reply.url) {
            downloadURL = target.absoluteString
        }
        return HubFileMetadata(commit: repoCommit, etag: etag, size: size, downloadURL: downloadURL,
                               downloadIsOnHub: downloadURL == reply.url.absoluteString)
    }

    private func endpoint(_ path: String) -> String {
        let base = environment.endpoint.absoluteString
        return (base.hasSuffix("/") ? base : base + "/") + path
    }
}
