import Foundation

/// The huggingface_hub settings taken from environment variables: where the cache is, which server to ask, the
/// token, whether the network may be used at all, and how long to wait for it.
///
/// Built from an explicit dictionary (the process environment by default), so that tests and embedders can pass their
/// own without changing the process's.
public struct HubEnvironment: Sendable {
    /// The cache root: `HF_HUB_CACHE`, else `HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
    /// `~/.cache/huggingface/hub` — huggingface_hub's order.
    public var cacheRoot: URL
    /// The hub server: `HF_ENDPOINT`, else `https://huggingface.co`.
    public var endpoint: URL
    /// The token sent as `Authorization: Bearer …` (never to another host, such as the CDN): `HF_TOKEN`, else
    /// `HUGGING_FACE_HUB_TOKEN`, else the contents of the token file `HF_TOKEN_PATH`, else `HF_HOME/token` (where
    /// `hf auth login` writes it), as huggingface_hub's `get_token`; line breaks and surrounding white space removed,
    /// `nil` when empty.
    public var token: String?
    /// `HF_HUB_OFFLINE` set to `1`, `true`, `yes` or `on`: never use the network.
    public var offline: Bool
    /// `HF_HUB_ETAG_TIMEOUT`, else 10: the connect and read timeout in seconds of listing and metadata requests, as in
    /// huggingface_hub; when it passes without an answer, a complete cached snapshot is used.
    public var metadataTimeout: TimeInterval
    /// `HF_HUB_DOWNLOAD_TIMEOUT`, else 10: the connect and read timeout in seconds of file downloads (the longest wait
    /// for the next bytes, not for the whole file), as in huggingface_hub.
    public var downloadTimeout: TimeInterval

    /// huggingface_hub's `DEFAULT_ETAG_TIMEOUT` and `DEFAULT_DOWNLOAD_TIMEOUT`.
    public static let defaultTimeout: TimeInterval = 10

    /// Reads the settings from `environment`. Throws ``HubError/invalidSetting(variable:value:expected:)`` for a
    /// timeout that is not a number of seconds, and ``HubError/unreadableTokenFile(path:reason:)`` for a token file
    /// that exists but cannot be read.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let home = value("HOME").map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        // huggingface_hub expands `~` in its path variables.
        func path(_ key: String) -> URL? {
            value(key).map { $0 == "~" || $0.hasPrefix("~/") ? home.appendingPathComponent(String($0.dropFirst(2))) : URL(fileURLWithPath: $0) }
        }
        let hfHome = path("HF_HOME")
            ?? (path("XDG_CACHE_HOME") ?? home.appendingPathComponent(".cache")).appendingPathComponent("huggingface")
        cacheRoot = path("HF_HUB_CACHE") ?? hfHome.appendingPathComponent("hub")
        endpoint = value("HF_ENDPOINT").flatMap { URL(string: $0) } ?? URL(string: "https://huggingface.co")!
        token = try Self.cleanToken(value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN"))
            ?? Self.cleanToken(Self.readTokenFile(path("HF_TOKEN_PATH") ?? hfHome.appendingPathComponent("token")))
        offline = value("HF_HUB_OFFLINE").map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
        metadataTimeout = try Self.seconds("HF_HUB_ETAG_TIMEOUT", value("HF_HUB_ETAG_TIMEOUT"))
        downloadTimeout = try Self.seconds("HF_HUB_DOWNLOAD_TIMEOUT", value("HF_HUB_DOWNLOAD_TIMEOUT"))
    }

    /// Explicit settings.
    public init(cacheRoot: URL, endpoint: URL, token: String? = nil, offline: Bool = false,
                metadataTimeout: TimeInterval = defaultTimeout, downloadTimeout: TimeInterval = defaultTimeout) {
        self.cacheRoot = cacheRoot
        self.endpoint = endpoint
        self.token = token
        self.offline = offline
        self.metadataTimeout = metadataTimeout
        self.downloadTimeout = downloadTimeout
    }

    /// A timeout variable's seconds; unset or 0 means the default, as huggingface_hub's `_as_int(…) or DEFAULT`.
    private static func seconds(_ variable: String, _ value: String?) throws -> TimeInterval {
        guard let value else { return defaultTimeout }
        guard let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds >= 0 else {
            throw HubError.invalidSetting(variable: variable, value: value, expected: "a number of seconds")
        }
        return seconds == 0 ? defaultTimeout : seconds
    }

    /// The token file's contents; `nil` when there is no such file (not logged in).
    private static func readTokenFile(_ file: URL) throws -> String? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        do {
            return try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw HubError.unreadableTokenFile(path: file, reason: error.localizedDescription)
        }
    }

    /// huggingface_hub's `_clean_token`: line breaks removed, white space trimmed, empty means none.
    private static func cleanToken(_ token: String?) -> String? {
        let cleaned = token?.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" }.trimmingCharacters(in: .whitespaces)
        return cleaned?.isEmpty == false ? cleaned : nil
    }
}
