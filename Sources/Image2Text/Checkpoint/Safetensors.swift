import Foundation

/// One tensor's entry in a weight file: name, element type, shape and where its bytes are.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: TensorDType
    public let shape: [Int]
    /// Byte range inside the file's data section (after the header).
    public let dataRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped `.safetensors` file (https://github.com/huggingface/safetensors, format: 8-byte little-endian
/// header length N, N bytes of JSON, then the data). The header is validated in full when the file is opened;
/// tensor bytes are then views into the mapping, never copies.
public final class SafetensorsFile: Sendable {
    /// Largest header accepted (the reference implementation's limit is 100 MB as well).
    public static let maximumHeaderLength = 100_000_000

    public let url: URL
    /// The tensors in the order of their data.
    public let tensors: [TensorInfo]
    /// The header's `__metadata__` string map (for example `{"format": "pt"}`).
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int
    private let tensorIndex: [String: Int]

    public init(contentsOf url: URL) throws {
        file = try MappedFile(url: url)
        self.url = url
        let bytes = file.bytes
        guard bytes.count >= 8 else {
            throw CheckpointError.invalidHeader(url, reason: "file is \(bytes.count) bytes, shorter than the 8-byte length prefix")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(Self.maximumHeaderLength) else {
            throw CheckpointError.invalidHeader(url, reason: "header length \(headerLength) exceeds \(Self.maximumHeaderLength) bytes")
        }
        guard 8 + Int(headerLength) <= bytes.count else {
            throw CheckpointError.invalidHeader(url, reason: "header length \(headerLength) runs past the end of the \(bytes.count)-byte file")
        }
        dataStart = 8 + Int(headerLength)
        let header = Data(bytes[8..<dataStart])
        (tensors, metadata) = try Self.parseHeader(header, dataLength: bytes.count - dataStart, url: url)
        tensorIndex = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The entry for `name`, or nil.
    public subscript(name: String) -> TensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// The tensor's bytes, a view into the mapping that stays valid as long as this file object lives.
    public func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + tensor.dataRange.lowerBound)..<(dataStart + tensor.dataRange.upperBound)])
    }

    private static func parseHeader(_ header: Data, dataLength: Int, url: URL) throws -> ([TensorInfo], [String: String]) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: header)
        } catch {
            throw CheckpointError.invalidHeader(url, reason: "not valid JSON")
        }
        guard let entries = object as? [String: Any] else {
            throw CheckpointError.invalidHeader(url, reason: "the header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [TensorInfo] = []
        for (name, value) in entries {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw CheckpointError.invalidHeader(url, reason: "__metadata__ is not an object")
                }
                for (key, item) in map {
                    guard let text = item as? String else {
                        throw CheckpointError.invalidHeader(url, reason: "__metadata__ value of '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            tensors.append(try parseEntry(name: name, value, dataLength: dataLength, url: url))
        }
        tensors.sort { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        for (previous, next) in zip(tensors, tensors.dropFirst()) where next.dataRange.lowerBound < previous.dataRange.upperBound {
            throw CheckpointError.overlappingTensors(url, first: previous.name, second: next.name)
        }
        return (tensors, metadata)
    }

    private static func parseEntry(name: String, _ value: Any, dataLength: Int, url: URL) throws -> TensorInfo {
        func invalid(_ reason: String) -> CheckpointError { .invalidTensorEntry(url, tensor: name, reason: reason) }
        guard let entry = value as? [String: Any] else { throw invalid("entry is not an object") }
        guard let dtypeName = entry["dtype"] as? String else { throw invalid("missing or non-string 'dtype'") }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw CheckpointError.unsupportedDType(url, tensor: name, dtype: dtypeName)
        }
        guard let shape = integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
            throw invalid("'shape' must be a list of non-negative integers")
        }
        guard let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
            throw invalid("'data_offsets' must be a list of two integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard 0 <= begin, begin <= end, end <= dataLength else {
            throw invalid("data_offsets [\(begin), \(end)] lie outside the \(dataLength)-byte data section")
        }
        var byteCount = dtype.byteSize
        for dimension in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("shape \(shape) is too large") }
            byteCount = product
        }
        guard byteCount == end - begin else {
            throw invalid("shape \(shape) × \(dtype.rawValue) needs \(byteCount) bytes but data_offsets span \(end - begin)")
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// JSON numbers that are whole (JSONSerialization gives NSNumber for every number).
    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            guard let number = item as? NSNumber else { return nil }
            let real = number.doubleValue
            guard real == real.rounded(), abs(real) < 0x1p53 else { return nil }
            result.append(Int(real))
        }
        return result
    }
}

// MARK: - Writing

/// A tensor to be written: name, element type, shape and its little-endian bytes.
public struct TensorData: Sendable {
    public let name: String
    public let dtype: TensorDType
    public let shape: [Int]
    public let bytes: Data

    public init(name: String, dtype: TensorDType, shape: [Int], bytes: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }
}

extension SafetensorsFile {
    /// Writes `tensors` (in the given order) as a `.safetensors` file; the header is padded with spaces to a
    /// multiple of 8 bytes, as the reference writer does, so that the data section is aligned.
    public static func write(_ tensors: [TensorData], metadata: [String: String] = ["format": "pt"], to url: URL) throws {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            let expected = tensor.shape.reduce(tensor.dtype.byteSize, *)
            guard expected == tensor.bytes.count else {
                throw CheckpointError.invalidTensorEntry(
                    url, tensor: tensor.name, reason: "shape \(tensor.shape) needs \(expected) bytes, got \(tensor.bytes.count)")
            }
            header[tensor.name] = ["dtype": tensor.dtype.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + expected]]
            offset += expected
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CheckpointError.unreadableFile(url, reason: "cannot create the file")
        }
        do {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            var length = UInt64(json.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: json)
            for tensor in tensors { try handle.write(contentsOf: tensor.bytes) }
        } catch {
            throw CheckpointError.unreadableFile(url, reason: "write failed: \(error.localizedDescription)")
        }
    }
}
