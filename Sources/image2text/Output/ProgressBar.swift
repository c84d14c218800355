import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress report on standard error (`[done/total] rate, time left`, or `done, rate` when the total is
/// not known before the end: inputs of shards read as they go), drawn only when standard error is a terminal and
/// there may be more than one input: nothing when piped or logged. It stays on the last line
/// (``StatusLine``): results and messages printed meanwhile go above it. When it is dropped unfinished (the command
/// stopped with an error), it is left as it was and the next line starts below it.
final class ProgressBar {
    /// nil when not known in advance.
    let total: Int?
    /// What is counted: `inputs`, or `shards` for `--output-dir`.
    let unit: String
    private let start = Date()
    private let enabled: Bool

    init(total: Int?, unit: String = "inputs") {
        self.total = total
        self.unit = unit
        enabled = (total ?? 2) > 1 && Self.standardErrorIsTerminal
    }

    deinit {
        if enabled { StatusLine.standardError.end() }
    }

    /// Whether standard error is a terminal, where progress bars are drawn.
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// `####------`: `filled` of `width` cells.
    static func bar(filled: Int, width: Int = 30) -> String {
        String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    }

    func update(done: Int) {
        guard enabled else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        guard let total else {
            StatusLine.standardError.show(String(format: "%d %@  %.2f %@/s", done, unit, rate, unit))
            return
        }
        let left = rate > 0 ? Double(total - done) / rate : 0
        let bar = Self.bar(filled: total > 0 ? 30 * done / total : 30)
        StatusLine.standardError.show(String(format: "[%@] %d/%d  %.2f %@/s  %.0f s left", bar, done, total, rate, unit, left))
        if done == total { StatusLine.standardError.end() }
    }
}
