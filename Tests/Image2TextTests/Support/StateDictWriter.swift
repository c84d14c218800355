import Foundation
@testable import Image2Text

/// Writes tensors as `torch.save` writes a state dict (zip format, protocol-2 pickle, one storage per tensor): lets the
/// tests turn any safetensors folder into its `pytorch_model.bin` twin. The reader itself is checked against files
/// torch wrote (`PyTorchCheckpointTests`).
enum StateDictWriter {
    static func write(_ tensors: [TensorData], to url: URL) throws {
        var pickle = Data([0x80, 0x02])
        func global(_ module: String, _ name: String) { pickle.append(contentsOf: Array("c\(module)\n\(name)\n".utf8)) }
        func string(_ text: String) {
            pickle.append(0x58)
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { pickle.append(contentsOf: $0) }
            pickle.append(contentsOf: Array(text.utf8))
        }
        func integer(_ value: Int) {
            pickle.append(0x4a)
            withUnsafeBytes(of: Int32(value).littleEndian) { pickle.append(contentsOf: $0) }
        }
        func tuple(_ values: [Int]) {
            pickle.append(0x28)
            values.forEach(integer)
            pickle.append(0x74)
        }
        global("collections", "OrderedDict")
        pickle.append(contentsOf: [0x29, 0x52, 0x28])  // () REDUCE, MARK
        let storageTypes: [TensorDType: String] = [.float32: "FloatStorage", .float16: "HalfStorage", .bfloat16: "BFloat16Storage"]
        for (index, tensor) in tensors.enumerated() {
            string(tensor.name)
            global("torch._utils", "_rebuild_tensor_v2")
            pickle.append(contentsOf: [0x28, 0x28])  // MARK (arguments), MARK (persistent id)
            string("storage")
            global("torch", storageTypes[tensor.dtype]!)
            string("\(index)")
            string("cpu")
            integer(tensor.shape.reduce(1, *))
            pickle.append(contentsOf: [0x74, 0x51])  // TUPLE, BINPERSID
            integer(0)
            tuple(tensor.shape)
            tuple(tensor.shape.indices.map { tensor.shape[($0 + 1)...].reduce(1, *) })
            pickle.append(0x89)  // requires_grad False
            global("collections", "OrderedDict")
            pickle.append(contentsOf: [0x29, 0x52, 0x74, 0x52])  // () REDUCE (hooks), TUPLE, REDUCE
        }
        pickle.append(contentsOf: [0x75, 0x2e])  // SETITEMS, STOP
        var entries = [("archive/data.pkl", pickle), ("archive/version", Data("3\n".utf8))]
        entries += tensors.enumerated().map { ("archive/data/\($0.offset)", $0.element.bytes) }
        try zip(entries).write(to: url)
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
