import Foundation

/// Why a model could not be resolved from the Hugging Face Hub or its local cache. Every case names the repository
/// and, where there is one, the file and URL.
public enum HubError: Error, Equatable, CustomStringConvertible {
    /// The hub answered 401 or 403: the repository is gated or private, or the token lacks access.
    case unauthorized(repository: String, url: String, status: Int)
    /// The hub answered 404 for the repository or revision listing.
    case repositoryNotFound(repository: String, revision: String, url: String)
    /// The hub answered 404 for one file of an existing revision.
    case fileNotFound(repository: String, revision: String, file: String, url: String)
    /// Any other unexpected HTTP status.
    case unexpectedStatus(repository: String, url: String, status: Int)
    /// The connection failed (after the allowed retries).
    case network(repository: String, url: String, reason: String)
    /// No connection or no bytes within `seconds`, the timeout `variable` sets (`HF_HUB_ETAG_TIMEOUT` for listings and
    /// metadata, `HF_HUB_DOWNLOAD_TIMEOUT` for downloads), after the allowed retries.
    case timedOut(repository: String, url: String, seconds: Double, variable: String)
    /// A response lacked what the hub always sends (`X-Repo-Commit`, `ETag`, a size, a valid JSON listing).
    case invalidResponse(repository: String, url: String, reason: String)
    /// A downloaded file's SHA-256 differs from the ETag the hub gave for it; nothing was kept.
    case checksumMismatch(repository: String, file: String, expected: String, actual: String)
    /// A downloaded file's size differs from the size the hub gave for it; nothing was kept.
    case sizeMismatch(repository: String, file: String, expected: Int64, actual: Int64)
    /// `HF_HUB_OFFLINE` is set and the cache has no snapshot for this revision.
    case offlineSnapshotMissing(repository: String, revision: String, cache: URL)
    /// `HF_HUB_OFFLINE` is set and the cached snapshot lacks a file the model needs.
    case offlineFileMissing(repository: String, revision: String, file: String, snapshot: URL)
    /// The revision lists no weights file the model can load.
    case noModelWeights(repository: String, revision: String, files: [String])
    /// The cache folder cannot be written.
    case cacheWriteFailed(path: URL, reason: String)
    /// Not a repository id of the form `ORG/NAME`.
    case invalidRepositoryID(String)
    /// An environment variable holds a value it cannot take.
    case invalidSetting(variable: String, value: String, expected: String)
    /// The token file exists but cannot be read.
    case unreadableTokenFile(path: URL, reason: String)

    /// Whether the hub could not be reached or stopped answering: a download is then resumed, and a complete cached
    /// snapshot used in its place.
    public var isConnectionProblem: Bool {
        switch self {
        case .network, .timedOut: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .unauthorized(let repository, let url, let status):
            return "\(repository): the hub refused access (HTTP \(status), \(url)); the repository is gated or private: set HF_TOKEN"
        case .repositoryNotFound(let repository, let revision, let url):
            return "\(repository): no such repository or revision '\(revision)' on the hub (HTTP 404, \(url))"
        case .fileNotFound(let repository, let revision, let file, let url):
            return "\(repository): revision '\(revision)' has no file '\(file)' (HTTP 404, \(url))"
        case .unexpectedStatus(let repository, let url, let status):
            return "\(repository): unexpected HTTP \(status) from \(url)"
        case .network(let repository, let url, let reason):
            return "\(repository): cannot reach \(url): \(reason)"
        case .timedOut(let repository, let url, let seconds, let variable):
            return "\(repository): no answer from \(url) within \(seconds.rounded() == seconds ? String(Int(seconds)) : String(seconds)) s (\(variable))"
        case .invalidResponse(let repository, let url, let reason):
            return "\(repository): invalid hub response from \(url): \(reason)"
        case .checksumMismatch(let repository, let file, let expected, let actual):
            return "\(repository): '\(file)' has sha256 \(actual), expected \(expected); the download was discarded"
        case .sizeMismatch(let repository, let file, let expected, let actual):
            return "\(repository): '\(file)' has \(actual) bytes, expected \(expected); the download was discarded"
        case .offlineSnapshotMissing(let repository, let revision, let cache):
            return "\(repository): HF_HUB_OFFLINE is set and \(cache.path) holds no snapshot of revision '\(revision)'"
        case .offlineFileMissing(let repository, let revision, let file, let snapshot):
            return "\(repository): HF_HUB_OFFLINE is set and the cached snapshot of '\(revision)' (\(snapshot.path)) lacks '\(file)'"
        case .noModelWeights(let repository, let revision, let files):
            return "\(repository): revision '\(revision)' has no model.safetensors, sharded safetensors or pytorch_model.bin; it holds: "
                + files.joined(separator: ", ")
        case .cacheWriteFailed(let path, let reason):
            return "\(path.path): cannot write to the hub cache: \(reason)"
        case .invalidRepositoryID(let string):
            return "'\(string)' is not a Hugging Face repository id (ORG/NAME)"
        case .invalidSetting(let variable, let value, let expected):
            return "\(variable)='\(value)': expected \(expected)"
        case .unreadableTokenFile(let path, let reason):
            return "\(path.path): cannot read the Hugging Face token file: \(reason)"
        }
    }
}
