/// How far the download of one file has come.
public struct DownloadProgress: Sendable, Equatable {
    /// The file's path in the repository (`model.safetensors`).
    public var file: String
    /// Bytes on disk, including those kept from an interrupted attempt.
    public var completedBytes: Int64
    /// The file's size as the hub gives it.
    public var totalBytes: Int64

    /// Whether the whole file has arrived.
    public var isComplete: Bool { completedBytes >= totalBytes }
}

/// Receives download progress; the CLI draws a progress bar from it. Called from the downloading task, in order,
/// at least once per file with ``DownloadProgress/isComplete`` true at the end.
public protocol DownloadProgressReporting: Sendable {
    /// `progress.file` has `progress.completedBytes` of `progress.totalBytes` on disk.
    func report(_ progress: DownloadProgress)
}
