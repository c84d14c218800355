import Foundation

/// `OUT.stats.json`, written beside an output file when its run has gone through every input of its part: its presence
/// says the file is complete. Counts are of this part's inputs (and questions).
package struct RunStats: Codable, Equatable, Sendable {
    /// `I/N` with `--shard`, else nil.
    package var shard: String?
    /// Records this run wrote with status `ok`.
    package var done: Int
    /// Records this run wrote with status `error`.
    package var failed: Int
    /// Inputs the file already held.
    package var skipped: Int
    /// Seconds from the first input read to the last record written.
    package var seconds: Double
    package var imagesPerSecond: Double
    package var finishedAt: String

    package init(shard: String?, done: Int, failed: Int, skipped: Int, seconds: Double, finishedAt: String) {
        self.shard = shard
        self.done = done
        self.failed = failed
        self.skipped = skipped
        self.seconds = seconds
        imagesPerSecond = seconds > 0 ? Double(done + failed) / seconds : 0
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case shard, done, failed, skipped, seconds
        case imagesPerSecond = "images_per_second", finishedAt = "finished_at"
    }

    /// The stats file of the output file at `path`.
    package static func file(of path: String) -> String { path + ".stats.json" }

    /// The one-line summary printed on standard error.
    package var summary: String {
        String(format: "%d done, %d skipped, %d failed in %.1f s (%.2f images/s)", done, skipped, failed, seconds, imagesPerSecond)
    }

    /// Pretty JSON with sorted keys.
    package func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
