import Foundation

/// A PyTorch checkpoint in `torch.save`'s zip format (`pytorch_model.bin`), memory-mapped. Its pickle is read by a
/// ``RestrictedUnpickler`` that knows only what a state dict needs (an `OrderedDict` of tensors rebuilt from storages
/// of any element type) and refuses every other global without calling anything; tensor bytes are views into the
/// mapping.
public final class PyTorchCheckpoint: Sendable {
    public let url: URL
    /// The tensors in the order of the state dict.
    public let tensors: [TensorInfo]
    private let file: MappedFile
    /// Where each tensor's bytes start in the file (its `dataRange` is relative to this).
    private let dataStarts: [String: Int]

    /// How a legacy (pre-1.6, non-zip) `torch.save` file starts: pickle protocol 2 and the format's magic number
    /// 0x1950a86a20f9469cfc6c as a `LONG1` opcode.
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]

    public init(contentsOf url: URL) throws {
        file = try MappedFile(url: url)
        self.url = url
        if file.bytes.starts(with: Self.legacyMagic) {
            throw CheckpointError.unsupportedWeightFormat(url, reason: "the legacy torch.save format of PyTorch < 1.6 is "
                + "not read; re-save it with a newer torch (torch.save(torch.load(f), f)) or convert it to safetensors")
        }
        let archive = try ZipArchive(file.bytes, url: url)
        guard let pickle = archive.entries.first(where: { $0.name.hasSuffix("/data.pkl") || $0.name == "data.pkl" }) else {
            throw CheckpointError.unsupportedWeightFormat(url, reason: "not a zip-format torch.save checkpoint (no data.pkl)")
        }
        let prefix = String(pickle.name.dropLast("data.pkl".count))
        let references = try RestrictedUnpickler(bytes: UnsafeRawBufferPointer(rebasing: file.bytes[pickle.range]), url: url).stateDict()
        let entryRanges = Dictionary(archive.entries.map { ($0.name, $0.range) }, uniquingKeysWith: { first, _ in first })
        var tensors = [TensorInfo](), starts = [String: Int]()
        for reference in references {
            guard starts[reference.name] == nil else {
                throw CheckpointError.invalidTensorEntry(url, tensor: reference.name, reason: "appears twice in the state dict")
            }
            guard let storage = entryRanges[prefix + "data/" + reference.storageKey] else {
                throw CheckpointError.invalidTensorEntry(url, tensor: reference.name, reason: "storage '\(reference.storageKey)' is missing")
            }
            let size = reference.dtype.byteSize
            let begin = reference.storageOffset * size, count = reference.shape.reduce(1, *) * size
            guard begin >= 0, begin + count <= storage.count else {
                throw CheckpointError.invalidTensorEntry(url, tensor: reference.name, reason: "runs past the end of its storage")
            }
            tensors.append(TensorInfo(name: reference.name, dtype: reference.dtype, shape: reference.shape, dataRange: begin..<begin + count))
            starts[reference.name] = storage.lowerBound
        }
        self.tensors = tensors
        dataStarts = starts
    }

    /// The tensor's bytes, a view into the mapping that stays valid as long as this object lives.
    public func bytes(of tensor: TensorInfo) -> UnsafeRawBufferPointer {
        let start = dataStarts[tensor.name] ?? 0
        return UnsafeRawBufferPointer(rebasing: file.bytes[(start + tensor.dataRange.lowerBound)..<(start + tensor.dataRange.upperBound)])
    }
}

/// The stored (uncompressed) entries of a zip archive, as `torch.save` writes them.
struct ZipArchive {
    struct Entry {
        let name: String
        /// The entry's data inside the archive.
        let range: Range<Int>
    }

    let entries: [Entry]

    init(_ bytes: UnsafeRawBufferPointer, url: URL) throws {
        func invalid(_ reason: String) -> CheckpointError { .unsupportedWeightFormat(url, reason: "zip archive: \(reason)") }
        func read<T: FixedWidthInteger>(_ offset: Int, _: T.Type) throws -> T {
            guard offset >= 0, offset + MemoryLayout<T>.size <= bytes.count else { throw invalid("truncated") }
            return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the end of the file.
        let lastCandidates = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65535), by: -1)
        guard let end = try lastCandidates.first(where: { try read($0, UInt32.self) == 0x0605_4b50 }) else {
            throw invalid("no end-of-central-directory record")
        }
        let count = Int(try read(end + 10, UInt16.self))
        var offset = Int(try read(end + 16, UInt32.self))
        guard count != 0xffff, offset != 0xffff_ffff else { throw invalid("zip64 archives are not read yet") }
        var entries = [Entry]()
        for _ in 0..<count {
            guard try read(offset, UInt32.self) == 0x0201_4b50 else { throw invalid("bad central directory entry") }
            let method = try read(offset + 10, UInt16.self)
            let size = Int(try read(offset + 20, UInt32.self))
            let (nameLength, extraLength, commentLength) = (Int(try read(offset + 28, UInt16.self)),
                                                            Int(try read(offset + 30, UInt16.self)),
                                                            Int(try read(offset + 32, UInt16.self)))
            let local = Int(try read(offset + 42, UInt32.self))
            guard offset + 46 + nameLength <= bytes.count else { throw invalid("truncated central directory") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(offset + 46)..<(offset + 46 + nameLength)]), as: UTF8.self)
            guard method == 0 else { throw invalid("entry '\(name)' is compressed (method \(method)); torch.save stores entries") }
            guard size != 0xffff_ffff, local != 0xffff_ffff else { throw invalid("zip64 archives are not read yet") }
            guard try read(local, UInt32.self) == 0x0403_4b50 else { throw invalid("bad local header of '\(name)'") }
            let start = local + 30 + Int(try read(local + 26, UInt16.self)) + Int(try read(local + 28, UInt16.self))
            guard start + size <= bytes.count else { throw invalid("entry '\(name)' runs past the end of the file") }
            entries.append(Entry(name: name, range: start..<start + size))
            offset += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }
}
