/// Ends a reply where a stop string first appears (OpenAI's `stop`; the stop string is not included). Text arrives in
/// pieces (streaming) or at once; a piece is released only when no stop string can begin in it, so that a stop string
/// split across pieces is never sent in part.
struct StopStringCutter {
    let stopStrings: [String]
    private var text = ""
    private var released = 0
    /// Whether a stop string was found; what follows it is dropped.
    private(set) var stopped = false

    init(_ stopStrings: [String]) {
        self.stopStrings = stopStrings
    }

    /// Adds `piece`; returns the text that can be released now.
    mutating func append(_ piece: String) -> String {
        guard !stopped else { return "" }
        text += piece
        let found = stopStrings.compactMap { text.range(of: $0)?.lowerBound }.min()
        if let found {
            stopped = true
            return release(upTo: text.distance(from: text.startIndex, to: found))
        }
        // Hold back the longest end of the text that begins some stop string.
        let held = stopStrings.map { stop in
            (1..<max(1, stop.count)).reversed().first { text.hasSuffix(String(stop.prefix($0))) } ?? 0
        }.max() ?? 0
        return release(upTo: text.count - held)
    }

    /// The text held back, once the reply has ended without a stop string.
    mutating func finish() -> String {
        stopped ? "" : release(upTo: text.count)
    }

    private mutating func release(upTo end: Int) -> String {
        guard end > released else { return "" }
        let piece = String(text.dropFirst(released).prefix(end - released))
        released = end
        return piece
    }

    /// `text` up to the first stop string, and whether one was found.
    static func cut(_ text: String, at stopStrings: [String]) -> (text: String, stopped: Bool) {
        var cutter = StopStringCutter(stopStrings)
        let released = cutter.append(text)
        return (released + cutter.finish(), cutter.stopped)
    }
}
