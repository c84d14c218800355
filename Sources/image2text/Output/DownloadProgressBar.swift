import Foundation
import Image2TextHub

/// A one-line progress bar per downloaded file on standard error (`file [####----] 12.3/45.6 MB`). Make it only when
/// standard error is a terminal (``forTerminal()``): nothing is drawn when it is piped or logged. It is the status
/// line (``StatusLine``) while its file downloads.
final class DownloadProgressBar: DownloadProgressReporting, @unchecked Sendable {
    private let lock = NSLock()
    private var lastDrawn: (file: String, permille: Int)?

    private init() {}

    /// A bar when standard error is a terminal, else `nil`.
    static func forTerminal() -> DownloadProgressBar? {
        ProgressBar.standardErrorIsTerminal ? DownloadProgressBar() : nil
    }

    func report(_ progress: DownloadProgress) {
        let permille = progress.totalBytes > 0 ? Int(1000 * progress.completedBytes / progress.totalBytes) : 1000
        lock.lock()
        defer { lock.unlock() }
        // Redraw only when the bar moves, not for every network chunk.
        if let lastDrawn, lastDrawn.file == progress.file, lastDrawn.permille == permille { return }
        lastDrawn = (progress.file, permille)
        let bar = ProgressBar.bar(filled: 30 * permille / 1000)
        let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        StatusLine.standardError.show("\(progress.file) [\(bar)] \(megabytes(progress.completedBytes))/\(megabytes(progress.totalBytes)) MB")
        if progress.isComplete { StatusLine.standardError.end() }
    }
}
