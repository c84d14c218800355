import Foundation
import NIOCore

/// Server-sent events as OpenAI streams them: each event one `data: JSON` line and a blank line, the stream ended by
/// `data: [DONE]`.
enum ServerSentEvents {
    static let contentType = "text/event-stream; charset=utf-8"
    static let done = ByteBuffer(string: "data: [DONE]\n\n")

    /// One event carrying `value` as compact JSON.
    static func event(_ value: some Encodable) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(try encoder.encode(value))
        buffer.writeString("\n\n")
        return buffer
    }
}
