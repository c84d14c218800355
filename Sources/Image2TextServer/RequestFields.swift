import Foundation
import Image2Text
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
        /// A JSON number, as decimal text: exact for a whole number that fits 64 bits, else the shortest text of its
        /// `Double`. Numbers and numeric text are then read by the same rules.
        case number(String)
        case bool(Bool)
        /// A JSON array.
        case list([Value])
        /// A name given more than once (multipart parts, query parameters).
        case repeated([Value])
        /// A file part, raw body bytes, or a text part that is not UTF-8.
        case bytes(Data)
        /// A JSON object (the messages of a chat completion).
        case object([String: Value])
        /// JSON `null`.
        case null
    }

    private var values: [String: Value]

    init(_ values: [String: Value]) {
        self.values = values
    }

    /// The names still unread, sorted.
    var unreadNames: [String] { values.keys.sorted() }

    /// Forgets the fields given as JSON `null`: OpenAI's clients send null for a field not given.
    mutating func removeNulls() {
        values = values.filter { if case .null = $0.value { false } else { true } }
    }

    /// Moves the value of `name` to `newName` (an OpenAI name to transformers'); both given is refused by name.
    mutating func rename(_ name: String, to newName: String) throws {
        guard let value = values.removeValue(forKey: name) else { return }
        guard values[newName] == nil else { throw FieldError(name, "and \(newName) are the same option: give one") }
        values[newName] = value
    }

    /// The value of `name`, taken out; a name given several times is refused, since only lists may repeat.
    mutating func take(_ name: String) throws -> Value? {
        let value = values.removeValue(forKey: name)
        if case .repeated(let items) = value { throw FieldError(name, "is given \(items.count) times; give it once") }
        return value
    }

    mutating func string(_ name: String) throws -> String? {
        guard let value = try take(name) else { return nil }
        guard let text = try Self.text(value, field: name) else { throw FieldError(name, "must be a string") }
        return text
    }

    /// The text of a text field or of a part's bytes; nil for other values.
    private static func text(_ value: Value, field: String) throws -> String? {
        switch value {
        case .text(let text): return text
        case .bytes(let data):
            guard let text = String(validating: data, as: UTF8.self) else { throw FieldError(field, "is not UTF-8 text") }
            return text
        default: return nil
        }
    }

    /// The one conversion of a field to a whole number: a JSON number, or numeric text (a JSON string, a multipart
    /// part, a query parameter) read by the same rules. `7`, `"7"`, `7.0` and `"7e0"` are 7; `7.5` is refused as not
    /// whole, and anything outside `range` by name, never wrapped or clamped.
    mutating func integer<T: FixedWidthInteger>(_ name: String, in range: ClosedRange<T>) throws -> T? {
        guard let value = try take(name) else { return nil }
        let whole: String = range.upperBound == .max ? "an integer at least \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let text = Self.numericText(value) else { throw FieldError(name, "must be \(whole)") }
        // Digits alone are read exactly; other forms (`1e3`, `7.0`) through Double, whose whole values convert exactly.
        guard let number = T(text) ?? Double(text).flatMap({ T(exactly: $0) }), range.contains(number) else {
            throw FieldError(name, "must be \(whole), got \(text)")
        }
        return number
    }

    /// A number: a JSON number or numeric text, by the same rules as ``integer(_:in:)``. Its range is the library's
    /// to check (``GenerationOption``).
    mutating func double(_ name: String) throws -> Double? {
        guard let value = try take(name) else { return nil }
        guard let text = Self.numericText(value), let number = Double(text) else { throw FieldError(name, "must be a number") }
        return number
    }

    /// The decimal text of a JSON number or of text written as one (surrounding spaces aside); nil for anything else,
    /// such as hexadecimal, `inf` or `nan`, which Swift's own parsers would take.
    private static func numericText(_ value: Value) -> String? {
        switch value {
        case .number(let text): return text
        case .text(let text):
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.wholeMatch(of: /-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/) != nil ? trimmed : nil
        default: return nil
        }
    }

    /// A boolean: JSON `true` or `false`, the text `true` or `false` (any case), or the number 1 or 0, given as a
    /// number or as numeric text by the rules of ``integer(_:in:)``.
    mutating func bool(_ name: String) throws -> Bool? {
        guard let value = try take(name) else { return nil }
        if case .bool(let flag) = value { return flag }
        if case .text(let text) = value, let flag = ["true": true, "false": false][text.lowercased()] { return flag }
        switch Self.numericText(value).flatMap({ Double($0) }) {
        case 1?: return true
        case 0?: return false
        default: throw FieldError(name, "must be true or false (or 1 or 0)")
        }
    }

    /// A list of strings: a JSON array, a repeated multipart field or query parameter, or a single value.
    mutating func strings(_ name: String) throws -> [String]? {
        try list(name, splitting: { [$0] })
    }

    /// A list of labels: a JSON array, a repeated multipart field or query parameter, each item a label; or a single
    /// string, split at commas as the CLI's `--labels` is (``LabelList``).
    mutating func labels(_ name: String) throws -> [String]? {
        try list(name, splitting: LabelList.commaSeparated)
    }

    /// The items of a list field, or the strings `split` makes of a single one.
    private mutating func list(_ name: String, splitting split: (String) -> [String]) throws -> [String]? {
        guard let value = values.removeValue(forKey: name) else { return nil }
        func text(_ item: Value) throws -> String {
            guard let text = try Self.text(item, field: name) else { throw FieldError(name, "must be a list of strings") }
            return text
        }
        switch value {
        case .list(let items), .repeated(let items): return try items.map(text)
        default: return split(try text(value))
        }
    }

    /// The value of a generation option's field, read by the option's kind; an integer within `range`.
    mutating func value(of option: GenerationOption, range: ClosedRange<Int>?) throws -> GenerationOption.Value? {
        let name = option.frontEndName
        switch option.kind {
        case .integer(let optionRange): return try integer(name, in: range ?? optionRange).map { .integer($0) }
        case .seed: return try integer(name, in: UInt64.min...UInt64.max).map { .unsigned($0) }
        case .number: return try double(name).map { .number($0) }
        case .flag: return try bool(name).map { .flag($0) }
        case .tokenLists: return try strings(name).map { .texts($0) }
        case .choice(let words):
            switch try take(name) {
            case nil: return nil
            case .bool(let flag): return .flag(flag)
            case .text(let text): return .word(text)
            default: throw FieldError(name, "must be one of " + words.map { "\"\($0)\"" }.joined(separator: ", "))
            }
        }
    }

    /// Media bytes: a file part, raw body bytes, or base64 text (JSON), bare or as a `data:` URI
    /// (``decodeBase64(_:field:)``).
    mutating func bytes(_ name: String) throws -> Data? {
        switch try take(name) {
        case nil: return nil
        case .bytes(let data): return data
        case .text(let text): return try Self.decodeBase64(text, field: name)
        default: throw FieldError(name, "must be base64 text or a file part")
        }
    }

    /// The bytes of base64 text, or of a base64 `data:` URI (`data:image/png;base64,…`, RFC 2397) as browsers and
    /// OpenAI-style clients send them; the URI's media type is not needed, the content tells images from videos.
    static func decodeBase64(_ text: String, field: String) throws -> Data {
        var base64 = Substring(text)
        if text.prefix(5).lowercased() == "data:" {
            guard let comma = text.firstIndex(of: ","),
                  text[..<comma].split(separator: ";").dropFirst().contains(where: { $0.lowercased() == "base64" }) else {
                throw FieldError(field, "is a data: URI without base64 data: send data:MEDIATYPE;base64,DATA")
            }
            base64 = text[text.index(after: comma)...]
        }
        guard let data = Data(base64Encoded: String(base64), options: .ignoreUnknownCharacters), !data.isEmpty || base64.isEmpty else {
            throw FieldError(field, "is not valid base64")
        }
        return data
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
    struct JSONValue: Decodable {
        let value: Value

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            // JSONDecoder refuses a number as Bool and a boolean as Double, so the order only matters for null.
            if container.decodeNil() {
                value = .null
            } else if let bool = try? container.decode(Bool.self) {
                value = .bool(bool)
            } else if let number = try? container.decode(Int.self) {
                value = .number(String(number))
            } else if let number = try? container.decode(UInt64.self) {
                value = .number(String(number))
            } else if let number = try? container.decode(Double.self) {
                value = .number("\(number)")
            } else if let text = try? container.decode(String.self) {
                value = .text(text)
            } else if let list = try? container.decode([JSONValue].self) {
                value = .list(list.map(\.value))
            } else {
                value = .object(try container.decode([String: JSONValue].self).mapValues(\.value))
            }
        }
    }

    /// The parts of a `multipart/form-data` body. Parts with a file name are bytes, others text (bytes if not UTF-8);
    /// a name given twice is repeated.
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
            let text = isFile ? nil : String(validating: bytes, as: UTF8.self)
            values.append(text.map(Value.text) ?? .bytes(bytes), named: name)
        }
        return RequestFields(values)
    }

    /// Raw media bytes as `image`, the query string's parameters as text fields: percent-decoded, `+` as a space (as
    /// forms encode them); a value that is not UTF-8 once decoded is kept as bytes, refused where text is read.
    static func raw(_ body: ByteBuffer, query: String?) throws -> RequestFields {
        var values: [String: Value] = ["image": .bytes(Data(body.readableBytesView))]
        for parameter in (query ?? "").split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let nameBytes = percentDecoded(pair[0]), let name = String(validating: nameBytes, as: UTF8.self) else {
                throw APIError.badRequest("the query string has a parameter name that is not percent-encoded UTF-8")
            }
            guard let bytes = percentDecoded(pair.count == 2 ? pair[1] : "") else {
                throw FieldError(name, "is not valid percent-encoding")
            }
            values.append(String(validating: bytes, as: UTF8.self).map(Value.text) ?? .bytes(Data(bytes)), named: name)
        }
        return RequestFields(values)
    }

    /// The bytes of a query component: `%XX` decoded, `+` a space; nil for a `%` not followed by two hex digits.
    private static func percentDecoded(_ component: Substring) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = component.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension [String: RequestFields.Value] {
    /// Adds `value` under `name`; a name given again is repeated.
    fileprivate mutating func append(_ value: RequestFields.Value, named name: String) {
        switch self[name] {
        case nil: self[name] = value
        case .repeated(let values): self[name] = .repeated(values + [value])
        case let first?: self[name] = .repeated([first, value])
        }
    }
}
