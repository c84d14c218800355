import Foundation

/// `OUT.stats.json`, written beside an output file when its run has gone through every input of its part: its presence
/// says the file is complete. `done`, `failed` and `skipped` count this run's inputs (and questions); `records` counts
/// what the whole file holds at the end, over every run that wrote to it.
package struct RunStats: Codable, Equatable, Sendable {
    /// `I/N` with `--shard`, else nil.
    package var shard: String?
    /// Records this run wrote with status `ok`.
    package var done: Int
    /// Records this run wrote with status `error`.
    package var failed: Int
    /// Inputs the file already held.
    package var skipped: Int
    /// Records the file holds when the run ends, by status.
    package var records: RecordCounts
    /// Seconds from the first input read to the last record written.
    package var seconds: Double
    package var imagesPerSecond: Double
    package var finishedAt: String

    package struct RecordCounts: Codable, Equatable, Sendable {
        package var ok: Int
        package var error: Int
    }

    /// The statistics of a run that wrote `done` and `failed` records after the file held `held` (nil when the records
    /// go to standard output).
    package init(shard: String?, done: Int, failed: Int, skipped: Int, held: ResumeIndex?, seconds: Double, finishedAt: String) {
        self.shard = shard
        self.done = done
        self.failed = failed
        self.skipped = skipped
        records = RecordCounts(ok: (held?.done.count ?? 0) + done, error: (held?.failed.count ?? 0) + failed)
        self.seconds = seconds
        imagesPerSecond = seconds > 0 ? Double(done + failed) / seconds : 0
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case shard, done, failed, skipped, records, seconds
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
