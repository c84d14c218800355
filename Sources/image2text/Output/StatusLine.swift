import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The last line of standard error while a progress bar is drawn there. A line written meanwhile to standard error, or
/// to standard output on a terminal, goes above the bar, whole: the bar is erased, the line written, and the bar
/// drawn again below it. (Written as they come, a result would land after the bar's text and the next redraw would
/// overwrite it.)
final class StatusLine: @unchecked Sendable {
    /// The one status line of the process: standard error has one last line.
    static let standardError = StatusLine()

    private let lock = NSLock()
    /// The text on the status line; nil when none is drawn.
    private var shown: String?

    private init() {}

    /// Draws `text` on the status line, in place of what was there.
    func show(_ text: String) {
        lock.withLock {
            shown = text
            FileHandle.standardError.write(Data((Self.eraseLine + text).utf8))
        }
    }

    /// Leaves the status line on screen and moves below it: later lines go under it.
    func end() {
        lock.withLock {
            guard shown != nil else { return }
            shown = nil
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }

    /// Writes `text` (whole lines, or a piece of a streamed line when no bar is drawn) to `handle`, above the status line.
    func write(_ text: String, to handle: FileHandle) {
        lock.withLock {
            guard let shown, handle.fileDescriptor == STDERR_FILENO || isatty(handle.fileDescriptor) == 1 else {
                handle.write(Data(text.utf8))
                return
            }
            FileHandle.standardError.write(Data(Self.eraseLine.utf8))
            handle.write(Data(text.utf8))
            FileHandle.standardError.write(Data(shown.utf8))
        }
    }

    /// Back to the start of the line, and clear it (ANSI EL).
    private static let eraseLine = "\r\u{1B}[K"
}
