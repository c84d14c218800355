import Foundation
@testable import Image2Text

/// Writes tensors as `torch.save` writes a state dict: a zip archive with one storage per tensor, and a pickle that is
/// byte for byte the one torch 2.15's pickler writes for the same `OrderedDict` (protocol 2, its memo, its batches of
/// 1000 items), which `PyTorchCheckpointTests` checks against files torch wrote. Lets the tests turn any safetensors
/// folder into its `pytorch_model.bin` twin, in the layout of transformers 4.x's uploads if asked.
enum StateDictWriter {
    /// - Parameters:
    ///   - metadata: the `_metadata` keys of `module.state_dict()` (each `{"version": 1}`), or nil for a plain dict.
    ///   - asParameters: each tensor is an `nn.Parameter` (rebuilt through `torch._utils._rebuild_parameter`).
    ///   - strides: strides to record instead of the contiguous ones, by tensor name.
    static func write(_ tensors: [TensorData], metadata: [String]? = nil, asParameters: Bool = false,
                      strides: [String: [Int]] = [:], to url: URL) throws {
        var entries = [("archive/data.pkl", pickle(tensors, metadata: metadata, asParameters: asParameters, strides: strides)),
                       ("archive/version", Data("3\n".utf8))]
        entries += tensors.enumerated().map { ("archive/data/\($0.offset)", $0.element.bytes) }
        try zip(entries).write(to: url)
    }

    /// A zip checkpoint around any pickle (for hostile ones).
    static func write(pickle: Data, to url: URL) throws {
        try zip([("archive/data.pkl", pickle), ("archive/version", Data("3\n".utf8))]).write(to: url)
    }

    /// The `data.pkl` of such a state dict.
    static func pickle(_ tensors: [TensorData], metadata: [String]? = nil, asParameters: Bool = false,
                       strides: [String: [Int]] = [:]) -> Data {
        let storageTypes: [TensorDType: String] = [
            .float32: "FloatStorage", .float16: "HalfStorage", .bfloat16: "BFloat16Storage", .float64: "DoubleStorage",
            .int64: "LongStorage", .int32: "IntStorage", .int16: "ShortStorage", .int8: "CharStorage", .uint8: "ByteStorage",
            .bool: "BoolStorage",
        ]
        var pickler = Pickler()
        pickler.emptyOrderedDict()
        pickler.items(Array(tensors.enumerated())) { pickler, item in
            let (index, tensor) = item
            pickler.string(tensor.name)
            if asParameters { pickler.global("torch._utils", "_rebuild_parameter") }
            pickler.global("torch._utils", "_rebuild_tensor_v2")
            pickler.tuple(count: 6) { pickler in
                pickler.tuple(count: 5) { pickler in
                    pickler.string("storage", shared: true)
                    pickler.global("torch", storageTypes[tensor.dtype]!)
                    pickler.string("\(index)")
                    pickler.string("cpu", shared: true)
                    pickler.integer(tensor.shape.reduce(1, *))
                }
                pickler.opcode(0x51)  // BINPERSID
                pickler.integer(0)  // storage offset
                pickler.integers(tensor.shape)
                pickler.integers(strides[tensor.name] ?? tensor.shape.indices.map { tensor.shape[($0 + 1)...].reduce(1, *) })
                pickler.opcode(0x89)  // requires_grad False
                pickler.emptyOrderedDict()  // backward hooks
            }
            pickler.reduce()
            if asParameters {
                pickler.opcode(0x88)  // requires_grad True
                pickler.emptyOrderedDict()
                pickler.opcode(0x87)  // TUPLE3
                pickler.put()
                pickler.reduce()
            }
        }
        if let metadata {
            // The state: {"_metadata": OrderedDict(prefix: {"version": 1})}, applied by BUILD.
            pickler.opcode(0x7d)  // EMPTY_DICT
            pickler.put()
            pickler.string("_metadata")
            pickler.emptyOrderedDict()
            pickler.items(metadata) { pickler, prefix in
                pickler.string(prefix)
                pickler.opcode(0x7d)
                pickler.put()
                pickler.string("version", shared: true)
                pickler.integer(1)
                pickler.opcode(0x73)  // SETITEM
            }
            pickler.opcode(0x73)
            pickler.opcode(0x62)  // BUILD
        }
        pickler.opcode(0x2e)  // STOP
        return pickler.data
    }

    /// CPython's pickler at protocol 2, for the objects of a state dict. Every object it memoizes gets the next memo
    /// index; objects that are one Python object wherever they appear (globals, interned strings) are fetched from
    /// the memo after their first appearance.
    private struct Pickler {
        var data = Data([0x80, 0x02])
        private var memoCount = 0
        private var shared: [String: Int] = [:]

        mutating func opcode(_ byte: UInt8) { data.append(byte) }

        mutating func put() {
            if memoCount < 256 {
                data.append(contentsOf: [0x71, UInt8(memoCount)])  // BINPUT
            } else {
                data.append(0x72)  // LONG_BINPUT
                withUnsafeBytes(of: UInt32(memoCount).littleEndian) { data.append(contentsOf: $0) }
            }
            memoCount += 1
        }

        /// Writes an object once, memoized, and fetches it from the memo afterwards.
        private mutating func once(_ key: String, _ write: (inout Pickler) -> Void) {
            if let index = shared[key] {
                if index < 256 {
                    data.append(contentsOf: [0x68, UInt8(index)])  // BINGET
                } else {
                    data.append(0x6a)  // LONG_BINGET
                    withUnsafeBytes(of: UInt32(index).littleEndian) { data.append(contentsOf: $0) }
                }
                return
            }
            write(&self)
            shared[key] = memoCount
            put()
        }

        mutating func global(_ module: String, _ name: String) {
            once("global \(module).\(name)") { $0.data.append(contentsOf: Array("c\(module)\n\(name)\n".utf8)) }
        }

        /// A string; `shared` for one that is the same Python object each time (a constant of torch's code).
        mutating func string(_ text: String, shared: Bool = false) {
            func write(_ pickler: inout Pickler) {
                pickler.data.append(0x58)  // BINUNICODE
                withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { pickler.data.append(contentsOf: $0) }
                pickler.data.append(contentsOf: Array(text.utf8))
            }
            if shared {
                once("string \(text)", write)
            } else {
                write(&self)
                put()
            }
        }

        /// `save_long`: the shortest of BININT1, BININT2, BININT, else LONG1.
        mutating func integer(_ value: Int) {
            switch value {
            case 0...0xff: data.append(contentsOf: [0x4b, UInt8(value)])
            case 0...0xffff: data.append(0x4d); withUnsafeBytes(of: UInt16(value).littleEndian) { data.append(contentsOf: $0) }
            case Int(Int32.min)...Int(Int32.max): data.append(0x4a); withUnsafeBytes(of: Int32(value).littleEndian) { data.append(contentsOf: $0) }
            default:
                var bytes = withUnsafeBytes(of: Int64(value).littleEndian) { Array($0) }
                while bytes.count > 1, (bytes[bytes.count - 1] == 0 && bytes[bytes.count - 2] & 0x80 == 0)
                    || (bytes[bytes.count - 1] == 0xff && bytes[bytes.count - 2] & 0x80 != 0) { bytes.removeLast() }
                data.append(contentsOf: [0x8a, UInt8(bytes.count)] + bytes)
            }
        }

        /// A tuple of `count` items written by `items`: EMPTY_TUPLE (not memoized), TUPLE1-3, or MARK … TUPLE.
        mutating func tuple(count: Int, _ items: (inout Pickler) -> Void) {
            if count == 0 { return opcode(0x29) }
            if count > 3 { opcode(0x28) }
            items(&self)
            opcode(count > 3 ? 0x74 : 0x84 + UInt8(count))
            put()
        }

        mutating func integers(_ values: [Int]) {
            tuple(count: values.count) { pickler in values.forEach { pickler.integer($0) } }
        }

        /// `OrderedDict()`: the class, an empty argument tuple, REDUCE.
        mutating func emptyOrderedDict() {
            global("collections", "OrderedDict")
            opcode(0x29)
            reduce()
        }

        mutating func reduce() {
            opcode(0x52)
            put()
        }

        /// `_batch_setitems`: batches of 1000 as MARK … SETITEMS, a batch of one as SETITEM.
        mutating func items<Item>(_ items: [Item], _ write: (inout Pickler, Item) -> Void) {
            for start in stride(from: 0, to: items.count, by: 1000) {
                let batch = items[start..<min(start + 1000, items.count)]
                if batch.count > 1 { opcode(0x28) }
                for item in batch { write(&self, item) }
                opcode(batch.count > 1 ? 0x75 : 0x73)
            }
        }
    }

    /// A zip archive of stored (uncompressed) entries.
    private static func zip(_ entries: [(String, Data)]) -> Data {
        var archive = Data(), directory = Data()
        func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        for (name, contents) in entries {
            let offset = archive.count, crc = crc32(contents), nameBytes = Array(name.utf8)
            append(UInt32(0x0403_4b50), to: &archive)
            append(UInt16(20), to: &archive); append(UInt16(0), to: &archive); append(UInt16(0), to: &archive)
            append(UInt32(0), to: &archive); append(crc, to: &archive)
            append(UInt32(contents.count), to: &archive); append(UInt32(contents.count), to: &archive)
            append(UInt16(nameBytes.count), to: &archive); append(UInt16(0), to: &archive)
            archive.append(contentsOf: nameBytes)
            archive.append(contents)
            append(UInt32(0x0201_4b50), to: &directory); append(UInt16(20), to: &directory); append(UInt16(20), to: &directory)
            append(UInt16(0), to: &directory); append(UInt16(0), to: &directory); append(UInt32(0), to: &directory)
            append(crc, to: &directory); append(UInt32(contents.count), to: &directory); append(UInt32(contents.count), to: &directory)
            append(UInt16(nameBytes.count), to: &directory); append(UInt16(0), to: &directory); append(UInt16(0), to: &directory)
            append(UInt16(0), to: &directory); append(UInt16(0), to: &directory); append(UInt32(0), to: &directory)
            append(UInt32(offset), to: &directory)
            directory.append(contentsOf: nameBytes)
        }
        let directoryOffset = archive.count
        archive.append(directory)
        append(UInt32(0x0605_4b50), to: &archive); append(UInt16(0), to: &archive); append(UInt16(0), to: &archive)
        append(UInt16(entries.count), to: &archive); append(UInt16(entries.count), to: &archive)
        append(UInt32(directory.count), to: &archive); append(UInt32(directoryOffset), to: &archive); append(UInt16(0), to: &archive)
        return archive
    }

    static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
