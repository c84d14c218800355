import Foundation

/// What the hub says about one file of a revision, from the headers of `HEAD /REPO/resolve/REV/FILE`
/// (huggingface_hub's `get_hf_file_metadata`).
struct HubFileMetadata: Sendable, Equatable {
    /// `X-Repo-Commit`: the commit the revision resolved to.
    var commit: String
    /// `X-Linked-Etag`, else `ETag`, without `W/` and quotes: the blob's name in the cache.
    var etag: String
    /// `X-Linked-Size`, else `Content-Length`.
    var size: Int64
    /// Where the bytes are: the redirect target (the CDN, for LFS files), else the resolve URL itself.
    var downloadURL: String
    /// Whether the download URL is the hub's own; the token is not sent to another host (the CDN), as in huggingface_hub.
    var downloadIsOnHub: Bool

    /// Whether the ETag is a SHA-256 (LFS files), which the downloaded bytes must then match.
    var isSHA256: Bool {
        etag.utf8.count == 64 && etag.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `"abc"`, `W/"abc"` → `abc`, as huggingface_hub's `_normalize_etag`.
    static func normalizeETag(_ value: String) -> String {
        var etag = value.trimmingCharacters(in: .whitespaces)
        if etag.hasPrefix("W/") { etag.removeFirst(2) }
        return etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
}
