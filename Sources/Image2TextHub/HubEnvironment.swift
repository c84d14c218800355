import Foundation

/// The huggingface_hub settings taken from environment variables: where the cache is, which server to ask, the
/// token, and whether the network may be used at all.
///
/// Built from an explicit dictionary (the process environment by default), so that tests and embedders can pass their
/// own without changing the process's.
public struct HubEnvironment: Sendable {
    /// The cache root: `HF_HUB_CACHE`, else `HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
    /// `~/.cache/huggingface/hub` — huggingface_hub's order.
    public var cacheRoot: URL
    /// The hub server: `HF_ENDPOINT`, else `https://huggingface.co`.
    public var endpoint: URL
    /// `HF_TOKEN`, sent as `Authorization: Bearer …`; `nil` when unset or empty.
    public var token: String?
    /// `HF_HUB_OFFLINE` set to `1`, `true`, `yes` or `on`: never use the network.
    public var offline: Bool
    /// `HF_HUB_ETAG_TIMEOUT`, else 10: seconds allowed for a listing or metadata request (not for downloads), as in
    /// huggingface_hub; when it passes without an answer, a complete cached snapshot is used.
    public var metadataTimeout: Int

    /// Reads the settings from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME").map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        let hfHome = value("HF_HOME").map { URL(fileURLWithPath: $0) }
            ?? (value("XDG_CACHE_HOME").map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".cache"))
                .appendingPathComponent("huggingface")
        cacheRoot = value("HF_HUB_CACHE").map { URL(fileURLWithPath: $0) } ?? hfHome.appendingPathComponent("hub")
        endpoint = value("HF_ENDPOINT").flatMap { URL(string: $0) } ?? URL(string: "https://huggingface.co")!
        token = value("HF_TOKEN")
        offline = value("HF_HUB_OFFLINE").map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
        metadataTimeout = value("HF_HUB_ETAG_TIMEOUT").flatMap { Int($0) }.map { max(1, $0) } ?? 10
    }

    /// Explicit settings.
    public init(cacheRoot: URL, endpoint: URL, token: String? = nil, offline: Bool = false, metadataTimeout: Int = 10) {
        self.cacheRoot = cacheRoot
        self.endpoint = endpoint
        self.token = token
        self.offline = offline
        self.metadataTimeout = metadataTimeout
    }
}
