import Foundation
import Image2TextNetworking
import Image2TextSupport

/// Downloads one file into `blobs/ETAG`: the bytes go to `blobs/ETAG.incomplete`, an interrupted transfer resumes
/// from that file's length with `Range: bytes=N-` (also on a later run), and the file is moved to `blobs/ETAG` only
/// when its size — and, for LFS files, its SHA-256 — match what the hub said. A mismatch deletes the partial file.
struct BlobDownload {
    let http: HubHTTP
    let cache: HubCache
    let file: String
    let metadata: HubFileMetadata
    let maxAttempts: Int
    let progress: (any DownloadProgressReporting)?

    private var repository: HubRepositoryID { http.repository }

    /// Downloads and verifies the file; returns `blobs/ETAG`.
    func run() async throws -> URL {
        let blob = cache.blob(repository, etag: metadata.etag)
        let incomplete = cache.incompleteBlob(repository, etag: metadata.etag)
        try cache.withCacheErrors(incomplete) {
            try FileManager.default.createDirectory(at: incomplete.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: incomplete.path),
               !FileManager.default.createFile(atPath: incomplete.path, contents: nil) {
                throw HubError.cacheWriteFailed(path: incomplete, reason: "cannot create the file")
            }
        }
        var attempt = 1
        while true {
            do {
                try await transfer(into: incomplete)
                break
            } catch let error as HubError where error.isConnectionProblem {
                guard attempt < maxAttempts else { throw error }
                attempt += 1
            }
        }
        try verify(incomplete)
        try cache.withCacheErrors(blob) {
            if FileManager.default.fileExists(atPath: blob.path) {
                try FileManager.default.removeItem(at: incomplete)
            } else {
                try FileManager.default.moveItem(at: incomplete, to: blob)
            }
        }
        return blob
    }

    /// One attempt: asks for the bytes after those already in `incomplete` and appends them.
    private func transfer(into incomplete: URL) async throws {
        var existing = Self.size(of: incomplete)
        if existing > metadata.size { try truncate(incomplete); existing = 0 }
        progress?.report(DownloadProgress(file: file, completedBytes: existing, totalBytes: metadata.size))
        if existing == metadata.size { return }
        let headers = existing > 0 ? [("Range", "bytes=\(existing)-")] : []
        let reply = try await http.send("GET", metadata.downloadURL, headers: headers, redirects: .all,
                                   sendToken: metadata.downloadIsOnHub, purpose: .download)
        try http.check(reply, notFound: HubError.fileNotFound(
            repository: repository.description, revision: metadata.commit, file: file, url: reply.url.absoluteString))
        switch reply.status {
        case 206: break
        case 200:
            // The server ignored the range and sends the whole file.
            if existing > 0 { try truncate(incomplete); existing = 0 }
        default:
            throw HubError.unexpectedStatus(repository: repository.description, url: reply.url.absoluteString, status: reply.status)
        }
        let handle = try cache.withCacheErrors(incomplete) { try FileHandle(forWritingTo: incomplete) }
        defer { try? handle.close() }
        var written = existing
        do {
            try handle.seekToEnd()
            for try await chunk in reply.body {
                try handle.write(contentsOf: chunk)
                written += Int64(chunk.count)
                progress?.report(DownloadProgress(file: file, completedBytes: written, totalBytes: metadata.size))
            }
        } catch {
            throw http.failure(error, url: reply.url.absoluteString, purpose: .download)
        }
    }

    /// Checks the size and, for an LFS file, the SHA-256; deletes the file when either differs.
    private func verify(_ incomplete: URL) throws {
        let size = Self.size(of: incomplete)
        guard size == metadata.size else {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError.sizeMismatch(repository: repository.description, file: file, expected: metadata.size, actual: size)
        }
        guard metadata.isSHA256 else { return }
        let digest = try sha256(of: incomplete)
        guard digest == metadata.etag else {
            try? FileManager.default.removeItem(at: incomplete)
            throw HubError.checksumMismatch(repository: repository.description, file: file, expected: metadata.etag, actual: digest)
        }
    }

    private func sha256(of url: URL) throws -> String {
        let handle = try cache.withCacheErrors(url) { try FileHandle(forReadingFrom: url) }
        defer { try? handle.close() }
        var hasher = SHA256.Hasher()
        while let chunk = try cache.withCacheErrors(url, { try handle.read(upToCount: 1 << 22) }), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    private func truncate(_ url: URL) throws {
        try cache.withCacheErrors(url) { try Data().write(to: url) }
    }

    private static func size(of url: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
