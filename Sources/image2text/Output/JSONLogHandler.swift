import Foundation
import Logging

/// swift-log records as JSON Lines on standard error, for log collectors: `{"time", "level", "label", "message",
/// "source", …metadata}` with the metadata keys at the top level (a record's own keys win over the handler's). A
/// number or boolean logged as one (`.stringConvertible(port)`) is written as a JSON number or boolean.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var record: [String: Any] = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues(Self.json)
        record["time"] = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
        record["level"] = event.level.rawValue
        record["label"] = label
        record["message"] = event.message.description
        record["source"] = event.source
        guard var line = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(line)
    }

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let number as Int): number
        case .stringConvertible(let number as Double) where number.isFinite: number
        case .stringConvertible(let flag as Bool): flag
        case .stringConvertible(let value): value.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}
