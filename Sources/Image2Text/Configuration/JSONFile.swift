import Foundation

/// Reads JSON configuration files, turning every failure into a ``ConfigurationError`` that names the file and the
/// key path, so that a user sees "config.json: key 'vision_config.image_size' should be an integer" instead of a
/// bare `DecodingError`.
package enum JSONFile {
    package static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            if !FileManager.default.fileExists(atPath: url.path) { throw ConfigurationError.missingFile(url) }
            throw ConfigurationError.unreadableFile(url, reason: error.localizedDescription)
        }
        return try decode(type, from: data, file: url)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data, file url: URL) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError(error, file: url)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError.invalidJSON(url, reason: "\(error)")
        }
    }
}

extension ConfigurationError {
    init(_ error: DecodingError, file url: URL) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
                .joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            self = .missingKey(url, keyPath: path(context.codingPath, key))
        case .typeMismatch(let type, let context):
            self = .wrongType(url, keyPath: path(context.codingPath), expected: Self.describe(type))
        case .valueNotFound(let type, let context):
            self = .wrongType(url, keyPath: path(context.codingPath), expected: Self.describe(type) + ", not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self = .invalidJSON(url, reason: context.underlyingError.map { "\($0)" } ?? context.debugDescription)
            } else {
                self = .invalidValue(url, keyPath: path(context.codingPath), reason: context.debugDescription)
            }
        @unknown default:
            self = .invalidJSON(url, reason: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int32.Type, is Int64.Type: "an integer"
        case is Float.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a whole number. Foundation's decoder on Linux reports a fractional number for an `Int` key as invalid
    /// JSON without the key's path, so integers are read as `Double` and checked here, naming the key.
    package func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        guard let value = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard value == value.rounded(), abs(value) < 0x1p53 else {
            throw DecodingError.typeMismatch(
                Int.self, .init(codingPath: codingPath + [key], debugDescription: "expected an integer, found \(value)"))
        }
        return Int(value)
    }
}
