import Foundation

/// A configuration file (`config.json`, `preprocessor_config.json`, `generation_config.json`, tokenizer files)
/// that is missing, unreadable or does not say what it must.
public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case missingFile(URL)
    case unreadableFile(URL, reason: String)
    case invalidJSON(URL, reason: String)
    case missingKey(URL, keyPath: String)
    case wrongType(URL, keyPath: String, expected: String)
    case invalidValue(URL, keyPath: String, reason: String)
    /// An image size given by the caller (`--image-size`, `GITModel(imageSize:)`) that the checkpoint cannot run at.
    case invalidImageSize(Int, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let url): "\(url.path): file not found"
        case .unreadableFile(let url, let reason): "\(url.path): cannot read the file: \(reason)"
        case .invalidJSON(let url, let reason): "\(url.path): not valid JSON: \(reason)"
        case .missingKey(let url, let keyPath): "\(url.path): missing key '\(keyPath)'"
        case .wrongType(let url, let keyPath, let expected): "\(url.path): key '\(keyPath)' should be \(expected)"
        case .invalidValue(let url, let keyPath, let reason): "\(url.path): key '\(keyPath)': \(reason)"
        case .invalidImageSize(let size, let reason): "image size \(size): \(reason)"
        }
    }
}
