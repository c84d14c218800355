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
/// header length N, N bytes of JSON, then the data). The header is validated in full when the file is opened
/// (``SafetensorsHeader``); tensor bytes are then views into the mapping, never copies.
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
        let header = try SafetensorsHeader(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]), dataLength: bytes.count - dataStart, url: url)
        (tensors, metadata) = (header.tensors, header.metadata)
        tensorIndex = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The entry for `name`, or nil.
    public subscript(name: String) -> TensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// The tensor's bytes, a view into the mapping that stays valid as long as this file object lives.
    public func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[(dataStart + tensor.dataRange.lowerBound)..<(dataStart + tensor.dataRange.upperBound)])
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
