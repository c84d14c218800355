import Foundation

/// Labels written as text, read the same way by every front end: `--labels` and a server's `labels` sent as one string
/// are a comma-separated list, each label trimmed of spaces and tabs (an empty label stays in the list, and
/// classification refuses it by name); `--labels-file` holds one label per line, blank lines skipped.
public enum LabelList {
    /// `a, b,c` → `["a", "b", "c"]`.
    public static func commaSeparated(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// One label per line; lines that hold only spaces are skipped.
    public static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
