import Foundation

/// A checkpoint folder or weight file that cannot be used: every case names the file and, where there is one, the
/// tensor.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case missingFile(URL)
    case notADirectory(URL)
    case unreadableFile(URL, reason: String)
    case noWeights(URL, found: [String])
    case unsupportedWeightFormat(URL, reason: String)
    case invalidHeader(URL, reason: String)
    case invalidTensorEntry(URL, tensor: String, reason: String)
    case unsupportedDType(URL, tensor: String, dtype: String)
    case overlappingTensors(URL, first: String, second: String)
    case missingTensors(URL, names: [String])
    case unexpectedTensors(URL, names: [String])
    case shapeMismatch(URL, tensor: String, expected: [Int], actual: [Int])
    case wrongDType(URL, tensor: String, expected: String, actual: String)
    case invalidIndex(URL, reason: String)
    /// A conversion's output folder cannot be written.
    case unwritableOutput(URL, reason: String)
    /// A PyTorch checkpoint's pickle names a global a state dict does not need (it was not called).
    case unsafePickle(URL, global: String)

    public var description: String {
        switch self {
        case .missingFile(let url): return "\(url.path): file not found"
        case .notADirectory(let url): return "\(url.path): not a checkpoint folder"
        case .unreadableFile(let url, let reason): return "\(url.path): cannot read: \(reason)"
        case .noWeights(let url, let found):
            return "\(url.path): no model.safetensors (or sharded model.safetensors.index.json) or pytorch_model.bin in the folder"
                + (found.isEmpty ? "" : "; it holds: \(found.joined(separator: ", "))")
        case .unsupportedWeightFormat(let url, let reason): return "\(url.path): unsupported weight format: \(reason)"
        case .invalidHeader(let url, let reason): return "\(url.path): invalid safetensors header: \(reason)"
        case .invalidTensorEntry(let url, let tensor, let reason):
            return "\(url.path): tensor '\(tensor)': \(reason)"
        case .unsupportedDType(let url, let tensor, let dtype):
            return "\(url.path): tensor '\(tensor)' has dtype \(dtype); supported: F32, F16, BF16, I8 (int8 weight matrices); "
                + "F64, I64, I32, I16, U8, BOOL only for ignored buffers"
        case .overlappingTensors(let url, let first, let second):
            return "\(url.path): the data of tensors '\(first)' and '\(second)' overlap"
        case .missingTensors(let url, let names):
            return "\(url.path): \(names.count) tensor(s) missing: \(Self.list(names))"
        case .unexpectedTensors(let url, let names):
            return "\(url.path): \(names.count) unexpected tensor(s): \(Self.list(names))"
        case .shapeMismatch(let url, let tensor, let expected, let actual):
            return "\(url.path): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .wrongDType(let url, let tensor, let expected, let actual):
            return "\(url.path): tensor '\(tensor)' has dtype \(actual), expected \(expected)"
        case .invalidIndex(let url, let reason): return "\(url.path): invalid shard index: \(reason)"
        case .unwritableOutput(let url, let reason): return "\(url.path): cannot write the converted checkpoint: \(reason)"
        case .unsafePickle(let url, let global):
            return "\(url.path): the pickle calls '\(global)', which a state dict does not need; refused without running it"
        }
    }

    private static func list(_ names: [String]) -> String {
        names.count <= 8 ? names.joined(separator: ", ") : names.prefix(8).joined(separator: ", ") + ", …"
    }
}
