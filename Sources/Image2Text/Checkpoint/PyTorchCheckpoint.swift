import Foundation

/// A PyTorch checkpoint in `torch.save`'s zip format (`pytorch_model.bin`), memory-mapped. Its pickle is read by a
/// restricted unpickler that knows only what a state dict needs (an `OrderedDict` of tensors rebuilt from storages)
/// and refuses every other global without calling anything; tensor bytes are views into the mapping.
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

/// A state dict's pickle, read without running anything: only the opcodes and globals a `torch.save`d state dict uses.
struct RestrictedUnpickler {
    /// One tensor of the state dict: where its values are.
    struct TensorReference {
        var name = ""
        let dtype: TensorDType
        let storageKey: String
        let storageOffset: Int
        let shape: [Int]
    }

    private indirect enum Value {
        case none, bool(Bool), int(Int), float(Double), string(String)
        case tuple([Value]), list([Value]), dict([(Value, Value)])
        case global(String)
        case storage(TensorDType, key: String)
        case tensor(TensorReference)
        case mark
    }

    /// The globals a state dict may name; anything else is refused before it could be called.
    static let allowedGlobals: Set<String> = [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage",
    ]
    private static let storageTypes: [String: TensorDType] = [
        "torch.FloatStorage": .float32, "torch.HalfStorage": .float16, "torch.BFloat16Storage": .bfloat16,
    ]

    let bytes: UnsafeRawBufferPointer
    let url: URL

    /// The state dict's tensors, in order.
    func stateDict() throws -> [TensorReference] {
        guard case .dict(let items) = try run() else { throw invalid("the pickle is not a dict") }
        return try items.map { key, value in
            guard case .string(let name) = key, case .tensor(var reference) = value else {
                throw invalid("a state dict entry is not a name and a tensor")
            }
            reference.name = name
            return reference
        }
    }

    private func invalid(_ reason: String) -> CheckpointError { .unsupportedWeightFormat(url, reason: "pickle: \(reason)") }

    private func run() throws -> Value {
        var stack = [Value](), memo = [Int: Value](), position = 0
        func take(_ count: Int) throws -> UnsafeRawBufferPointer {
            guard count >= 0, position + count <= bytes.count else { throw invalid("truncated") }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws -> T { T(littleEndian: try take(MemoryLayout<T>.size).loadUnaligned(as: T.self)) }
        func line() throws -> String {
            guard let end = bytes[position...].firstIndex(of: 0x0a) else { throw invalid("truncated") }
            defer { position = end + 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
        }
        func pop() throws -> Value {
            guard let value = stack.popLast() else { throw invalid("stack underflow") }
            return value
        }
        func popToMark() throws -> [Value] {
            guard let mark = stack.lastIndex(where: { if case .mark = $0 { true } else { false } }) else { throw invalid("no mark") }
            defer { stack.removeSubrange(mark...) }
            return Array(stack[(mark + 1)...])
        }
        while true {
            let opcode = try take(1)[0]
            switch opcode {
            case 0x80: _ = try take(1)                                    // PROTO
            case 0x95: _ = try take(8)                                    // FRAME
            case 0x2e: return try pop()                                   // STOP
            case 0x28: stack.append(.mark)                                // MARK
            case 0x4e: stack.append(.none)                                // NONE
            case 0x88, 0x89: stack.append(.bool(opcode == 0x88))          // NEWTRUE, NEWFALSE
            case 0x4b: stack.append(.int(Int(try integer(UInt8.self))))   // BININT1
            case 0x4d: stack.append(.int(Int(try integer(UInt16.self))))  // BININT2
            case 0x4a: stack.append(.int(Int(try integer(Int32.self))))   // BININT
            case 0x8a:                                                    // LONG1
                let count = Int(try integer(UInt8.self))
                guard count <= 8 else { throw invalid("integer too large") }
                let raw = try take(count)
                var value: Int64 = count > 0 && raw[count - 1] & 0x80 != 0 ? -1 : 0
                for index in stride(from: count - 1, through: 0, by: -1) { value = value << 8 | Int64(raw[index]) }
                stack.append(.int(Int(value)))
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try take(8).loadUnaligned(as: UInt64.self)))))  // BINFLOAT
            case 0x58: stack.append(.string(String(decoding: try take(Int(try integer(UInt32.self))), as: UTF8.self)))       // BINUNICODE
            case 0x8c: stack.append(.string(String(decoding: try take(Int(try integer(UInt8.self))), as: UTF8.self)))        // SHORT_BINUNICODE
            case 0x29: stack.append(.tuple([]))                           // EMPTY_TUPLE
            case 0x85, 0x86, 0x87:                                        // TUPLE1-3
                let count = Int(opcode - 0x84)
                guard stack.count >= count else { throw invalid("stack underflow") }
                let items = Array(stack.suffix(count))
                stack.removeLast(count)
                stack.append(.tuple(items))
            case 0x74: stack.append(.tuple(try popToMark()))              // TUPLE
            case 0x5d: stack.append(.list([]))                            // EMPTY_LIST
            case 0x7d: stack.append(.dict([]))                            // EMPTY_DICT
            case 0x61, 0x65:                                              // APPEND, APPENDS
                let items = opcode == 0x61 ? [try pop()] : try popToMark()
                guard case .list(let list) = try pop() else { throw invalid("append to a non-list") }
                stack.append(.list(list + items))
            case 0x73, 0x75:                                              // SETITEM, SETITEMS
                let flat = opcode == 0x73 ? [try pop(), try pop()].reversed() : try popToMark()
                guard flat.count % 2 == 0, case .dict(var items) = try pop() else { throw invalid("set items on a non-dict") }
                for index in stride(from: 0, to: flat.count, by: 2) { items.append((flat[index], flat[index + 1])) }
                stack.append(.dict(items))
            case 0x71: memo[Int(try integer(UInt8.self))] = stack.last    // BINPUT
            case 0x72: memo[Int(try integer(UInt32.self))] = stack.last   // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last                      // MEMOIZE
            case 0x68, 0x6a:                                              // BINGET, LONG_BINGET
                let index = opcode == 0x68 ? Int(try integer(UInt8.self)) : Int(try integer(UInt32.self))
                guard let value = memo[index] else { throw invalid("memo \(index) is empty") }
                stack.append(value)
            case 0x63:                                                    // GLOBAL
                let name = try line() + "." + line()
                guard Self.allowedGlobals.contains(name) else {
                    throw CheckpointError.unsafePickle(url, global: name)
                }
                stack.append(.global(name))
            case 0x51:                                                    // BINPERSID
                guard case .tuple(let items) = try pop(), items.count == 5, case .string("storage") = items[0],
                      case .global(let type) = items[1], let dtype = Self.storageTypes[type], case .string(let key) = items[2]
                else { throw invalid("unsupported persistent id") }
                stack.append(.storage(dtype, key: key))
            case 0x52:                                                    // REDUCE
                guard case .tuple(let arguments) = try pop(), case .global(let function) = try pop() else {
                    throw invalid("REDUCE without a function and arguments")
                }
                stack.append(try call(function, arguments))
            case 0x62: _ = try pop()                                      // BUILD: the state dict's _metadata, not needed
            default:
                throw invalid(String(format: "opcode 0x%02x at byte %d is not used by state dicts", opcode, position - 1))
            }
        }
    }

    private func call(_ function: String, _ arguments: [Value]) throws -> Value {
        switch function {
        case "collections.OrderedDict":
            return .dict([])
        case "torch._utils._rebuild_parameter":
            guard let tensor = arguments.first, case .tensor = tensor else { throw invalid("_rebuild_parameter without a tensor") }
            return tensor
        case "torch._utils._rebuild_tensor_v2":
            guard arguments.count >= 4, case .storage(let dtype, let key) = arguments[0], case .int(let offset) = arguments[1],
                  case .tuple(let sizeValues) = arguments[2], case .tuple(let strideValues) = arguments[3] else {
                throw invalid("_rebuild_tensor_v2 with unexpected arguments")
            }
            let shape = try sizeValues.map { value -> Int in
                guard case .int(let size) = value, (0...(1 << 40)).contains(size) else { throw invalid("a size that is not a count") }
                return size
            }
            var elements = 1
            for size in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow, product < 1 << 40 else { throw invalid("tensor of shape \(shape) is too large") }
                elements = product
            }
            guard (0..<(1 << 40)).contains(offset) else { throw invalid("storage offset \(offset) is out of range") }
            let strides = try strideValues.map { value -> Int in
                guard case .int(let stride) = value else { throw invalid("a non-integer stride") }
                return stride
            }
            var expected = 1, contiguous = [Int](repeating: 1, count: shape.count)
            for index in shape.indices.reversed() {
                contiguous[index] = expected
                expected *= shape[index]
            }
            guard zip(zip(shape, strides), contiguous).allSatisfy({ $0.0.0 <= 1 || $0.0.1 == $0.1 }) else {
                throw invalid("tensor with strides \(strides) for shape \(shape) is not contiguous")
            }
            return .tensor(TensorReference(dtype: dtype, storageKey: key, storageOffset: offset, shape: shape))
        default:
            throw CheckpointError.unsafePickle(url, global: function)
        }
    }
}
