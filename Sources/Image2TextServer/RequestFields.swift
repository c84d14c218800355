import Foundation
import MultipartKit
import NIOCore

/// The fields of a `/v1` request, read from any of the accepted bodies: `multipart/form-data` (the media as a file
/// part, other fields as text parts; a repeated name makes a list), a JSON object (the media as base64), or the raw
/// media bytes with the other fields in the query string. Every accessor takes its field out, so that what is left
/// afterwards is unknown and refused by name.
struct RequestFields {
    /// A field's value as the body gave it.
    enum Value {
        case text(String)
        case number(Double)
        case bool(Bool)
        case list([Value])
        case bytes(Data)
        /// JSON `null`, an object, or anything else no field takes.
        case other
    }

    private var values: [String: Value]

    init(_ values: [String: Value]) {
        self.values = values
    }

    /// The names still unread, sorted.
    var unreadNames: [String] { values.keys.sorted() }

    mutating func take(_ name: String) -> Value? {
        values.removeValue(forKey: name)
    }

    mutating func string(_ name: String) throws -> String? {
        guard let value = take(name) else { return nil }
        guard let text = try Self.text(value, field: name) else { throw FieldError(name, "must be a string") }
        return text
    }

    /// The text of a text field or of a part's bytes; nil for other values.
    private static func text(_ value: Value, field: String) throws -> String? {
        switch value {
        case .text(let text): return text
        case .bytes(let data):
            guard let text = String(data: data, encoding: .utf8) else { throw FieldError(field, "is not UTF-8 text") }
            return text
        default: return nil
        }
    }

    mutating func int(_ name: String) throws -> Int? {
        try scalar(name, "must be an integer") { value in
            switch value {
            case .number(let number) where number.rounded() == number && abs(number) < 1e15: Int(number)
            case .text(let text): Int(text.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        }
    }

    mutating func unsigned(_ name: String) throws -> UInt64? {
        try scalar(name, "must be a non-negative integer") { value in
            switch value {
            case .number(let number) where number >= 0 && number.rounded() == number && number < 9e15: UInt64(number)
            case .text(let text): UInt64(text.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        }
    }

    mutating func double(_ name: String) throws -> Double? {
        try scalar(name, "must be a number") { value in
            switch value {
            case .number(let number): number
            case .text(let text): Double(text.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
            default: nil
            }
        }
    }

    mutating func bool(_ name: String) throws -> Bool? {
        try scalar(name, "must be true or false") { value in
            switch value {
            case .bool(let flag): flag
            case .text(let text): ["true": true, "1": true, "false": false, "0": false][text.lowercased()]
            default: nil
            }
        }
    }

    /// The field converted by `convert`; a value it cannot convert is refused with `expectation`.
    private mutating func scalar<T>(_ name: String, _ expectation: String, _ convert: (Value) -> T?) throws -> T? {
        guard let value = take(name) else { return nil }
        guard let converted = convert(value) else { throw FieldError(name, expectation) }
        return converted
    }

    /// A list of strings: a JSON array, a repeated multipart field, or a single value.
    mutating func strings(_ name: String) throws -> [String]? {
        guard let value = take(name) else { return nil }
        let items: [Value] = if case .list(let list) = value { list } else { [value] }
        return try items.map { item in
            guard let text = try Self.text(item, field: name) else { throw FieldError(name, "must be a list of strings") }
            return text
        }
    }

    /// Media bytes: a file part, raw body bytes, or base64 text (JSON).
    mutating func bytes(_ name: String) throws -> Data? {
        switch take(name) {
        case nil: return nil
        case .bytes(let data): return data
        case .text(let text):
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !data.isEmpty || text.isEmpty else {
                throw FieldError(name, "is not valid base64")
            }
            return data
        default: throw FieldError(name, "must be base64 text or a file part")
        }
    }
}

/// A field of the request body that has the wrong type or value.
struct FieldError: Error, CustomStringConvertible {
    let field: String
    let problem: String

    init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    var description: String { "\(field): \(problem)" }
}

// MARK: Reading bodies

extension RequestFields {
    /// The fields of a JSON object body.
    static func json(_ body: ByteBuffer) throws -> RequestFields {
        do {
            return RequestFields(try JSONDecoder().decode([String: JSONValue].self, from: Data(body.readableBytesView)).mapValues(\.value))
        } catch DecodingError.typeMismatch {
            throw APIError.badRequest("the JSON body must be an object")
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
    }

    /// Any JSON value, as a field ``Value``.
    private struct JSONValue: Decodable {
        let value: Value

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            // JSONDecoder refuses a number as Bool and a boolean as Double, so the order only matters for null.
            if container.decodeNil() {
                value = .other
            } else if let bool = try? container.decode(Bool.self) {
                value = .bool(bool)
            } else if let number = try? container.decode(Double.self) {
                value = .number(number)
            } else if let text = try? container.decode(String.self) {
                value = .text(text)
            } else if let list = try? container.decode([JSONValue].self) {
                value = .list(list.map(\.value))
            } else {
                value = .other
            }
        }
    }

    /// The parts of a `multipart/form-data` body. Parts with a file name are bytes, others text; a name given twice
    /// makes a list.
    static func multipart(_ body: ByteBuffer, boundary: String) throws -> RequestFields {
        guard !boundary.isEmpty, boundary.utf8.allSatisfy({ (1..<0x80).contains($0) }) else {
            throw APIError.badRequest("the multipart boundary must be ASCII text")
        }
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var partBody = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { field, value in headers.add(name: field, value: value) }
        parser.onBody = { chunk in partBody.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: partBody))
            headers = HTTPHeaders()
            partBody = ByteBuffer()
        }
        do {
            // MultipartKit 4.7 looks each header-name byte up in a 128-entry table and traps on any byte past it. So the
            // body is read first with those bytes as NUL, which no header name and no boundary holds: a header name
            // with one is refused as any bad name is, and every other body reads the same both times.
            try MultipartParser(boundary: boundary).execute(ByteBuffer(bytes: body.readableBytesView.map { $0 < 0x80 ? $0 : 0 }))
            try parser.execute(body)
        } catch {
            throw APIError.badRequest("the multipart body is malformed (\(error))")
        }
        guard !parts.isEmpty else { throw APIError.badRequest("the multipart body has no parts") }
        var values: [String: Value] = [:]
        for part in parts {
            guard let name = part.name else { throw APIError.badRequest("a multipart part has no name") }
            let bytes = Data(part.body.readableBytesView)
            // `filename=` (or RFC 5987's `filename*=`) among the Content-Disposition parameters marks a file part.
            let disposition = part.headers.first(name: "Content-Disposition") ?? ""
            let isFile = disposition.split(separator: ";").dropFirst().contains {
                $0.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("filename")
            }
            values.append(isFile ? .bytes(bytes) : .text(String(decoding: bytes, as: UTF8.self)), named: name)
        }
        return RequestFields(values)
    }

    /// Raw media bytes as `image`, the query string's parameters as text fields.
    static func raw(_ body: ByteBuffer, query: [(String, String)]) -> RequestFields {
        var values: [String: Value] = ["image": .bytes(Data(body.readableBytesView))]
        for (name, text) in query { values.append(.text(text), named: name) }
        return RequestFields(values)
    }
}

extension [String: RequestFields.Value] {
    /// Adds `value` under `name`; a name given again makes a list.
    fileprivate mutating func append(_ value: RequestFields.Value, named name: String) {
        switch self[name] {
        case nil: self[name] = value
        case .list(let list): self[name] = .list(list + [value])
        case let first?: self[name] = .list([first, value])
        }
    }
}
