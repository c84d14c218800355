import Foundation

/// The huggingface_hub cache layout, read and written exactly as huggingface_hub's `file_download.py` does, so that
/// files downloaded by Python are reused here and ours by Python:
///
/// ```
/// ROOT/models--ORG--NAME/
///   refs/REVISION                  the commit hash REVISION (a branch or tag) resolved to
///   blobs/ETAG                     file contents, named by the ETag without quotes (sha256 for LFS files,
///                                  the git blob sha1 otherwise); ETAG.incomplete while downloading
///   snapshots/COMMIT/FILE          relative symlinks to ../../blobs/ETAG
///   .no_exist/COMMIT/FILE          empty: FILE is known not to exist at COMMIT
/// ```
public struct HubCache: Sendable {
    /// The cache root (`HF_HUB_CACHE`, `HF_HOME/hub`, …; see ``HubEnvironment/cacheRoot``).
    public let root: URL

    /// A cache rooted at `root`.
    public init(root: URL) { self.root = root }

    /// `ROOT/models--ORG--NAME`.
    public func repositoryFolder(_ repository: HubRepositoryID) -> URL {
        root.appendingPathComponent(repository.cacheFolderName, isDirectory: true)
    }

    /// `blobs/ETAG`: a complete, verified file.
    public func blob(_ repository: HubRepositoryID, etag: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("blobs/\(etag)")
    }

    /// `blobs/ETAG.incomplete`: the bytes of an unfinished download, resumed from its length.
    public func incompleteBlob(_ repository: HubRepositoryID, etag: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("blobs/\(etag).incomplete")
    }

    /// `snapshots/COMMIT`.
    public func snapshotFolder(_ repository: HubRepositoryID, commit: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("snapshots/\(commit)", isDirectory: true)
    }

    /// `refs/REVISION` (a revision such as `refs/pr/1` makes nested folders, as in huggingface_hub).
    public func refFile(_ repository: HubRepositoryID, revision: String) -> URL {
        repositoryFolder(repository).appendingPathComponent("refs/\(revision)")
    }

    /// `.no_exist/COMMIT/FILE`: the empty file recording that the hub has no `FILE` at `COMMIT`.
    public func absenceMarker(_ repository: HubRepositoryID, commit: String, file: String) -> URL {
        absenceFolder(repository, commit: commit).appendingPathComponent(file)
    }

    /// `.no_exist/COMMIT`, the folder of a commit's absence markers.
    private func absenceFolder(_ repository: HubRepositoryID, commit: String) -> URL {
        repositoryFolder(repository).appendingPathComponent(".no_exist/\(commit)")
    }

    /// Whether `FILE` is recorded as absent at `COMMIT` (by us or by huggingface_hub).
    public func isMarkedAbsent(_ repository: HubRepositoryID, commit: String, file: String) -> Bool {
        FileManager.default.fileExists(atPath: absenceMarker(repository, commit: commit, file: file).path)
    }

    /// Whether any absence is recorded for `COMMIT`: the snapshot was then filled file by file, by a client that
    /// records what it did not find (huggingface_hub's `hf_hub_download`, this one), not by `snapshot_download`.
    public func recordsAbsences(_ repository: HubRepositoryID, commit: String) -> Bool {
        FileManager.default.fileExists(atPath: absenceFolder(repository, commit: commit).path)
    }

    /// Records that the hub has no `FILE` at `COMMIT`, writing the empty marker as huggingface_hub does.
    public func markAbsent(_ repository: HubRepositoryID, commit: String, file: String) throws {
        let marker = absenceMarker(repository, commit: commit, file: file)
        guard !FileManager.default.fileExists(atPath: marker.path) else { return }
        try withCacheErrors(marker) {
            try FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: marker.path, contents: nil) else {
                throw HubError.cacheWriteFailed(path: marker, reason: "cannot create the file")
            }
        }
    }

    /// The commit a revision resolves to in the cache: the revision itself when it is a 40-hex commit hash with a
    /// snapshot folder, else the contents of `refs/REVISION`; `nil` when neither is cached.
    public func cachedCommit(_ repository: HubRepositoryID, revision: String) -> String? {
        if Self.isCommitHash(revision),
           FileManager.default.fileExists(atPath: snapshotFolder(repository, commit: revision).path) {
            return revision
        }
        guard let data = FileManager.default.contents(atPath: refFile(repository, revision: revision).path) else { return nil }
        let commit = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return commit.isEmpty ? nil : commit
    }

    /// Records that `revision` points at `commit` (`refs/REVISION`); nothing is written when the revision is the commit.
    public func writeRef(_ repository: HubRepositoryID, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let file = refFile(repository, revision: revision)
        try withCacheErrors(file) {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: file, options: .atomic)
        }
    }

    /// Makes `snapshots/COMMIT/FILE` a relative symlink to `blobs/ETAG` (replacing any previous link).
    public func link(_ repository: HubRepositoryID, commit: String, file: String, etag: String) throws {
        let link = snapshotFolder(repository, commit: commit).appendingPathComponent(file)
        // From snapshots/COMMIT/a/b/FILE up to the repository folder: one `..` per folder below it.
        let depth = file.split(separator: "/").count + 1
        let target = String(repeating: "../", count: depth) + "blobs/\(etag)"
        try withCacheErrors(link) {
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) != nil
                || FileManager.default.fileExists(atPath: link.path) {
                try FileManager.default.removeItem(at: link)
            }
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
        }
    }

    /// Whether `value` is a full commit hash (40 lowercase hex digits).
    public static func isCommitHash(_ value: String) -> Bool {
        value.utf8.count == 40 && value.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    func withCacheErrors<T>(_ path: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as HubError { throw error } catch {
            throw HubError.cacheWriteFailed(path: path, reason: error.localizedDescription)
        }
    }
}
