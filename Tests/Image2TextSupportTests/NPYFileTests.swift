import Foundation
import Testing
import Image2TextSupport

@Suite struct NPYFileTests {
    /// Splits an `.npy` file into its header text and float32 values, checking the format-1.0 framing.
    private func parse(_ data: Data) throws -> (header: String, values: [Float]) {
        let bytes = [UInt8](data)
        try #require(bytes.count >= 10)
        #expect(Array(bytes[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let dataStart = 10 + headerLength
        #expect(dataStart % 64 == 0, "data aligned to 64 bytes as NumPy writes it")
        let header = String(decoding: bytes[10..<dataStart], as: UTF8.self)
        #expect(header.hasSuffix("\n"))
        let payload = bytes[dataStart...]
        try #require(payload.count % 4 == 0)
        let values = stride(from: payload.startIndex, to: payload.endIndex, by: 4).map { offset in
            Float(bitPattern: UInt32(payload[offset]) | UInt32(payload[offset + 1]) << 8
                | UInt32(payload[offset + 2]) << 16 | UInt32(payload[offset + 3]) << 24)
        }
        return (header.trimmingCharacters(in: .whitespacesAndNewlines), values)
    }

    @Test("Header parses and float32 data round-trips")
    func roundTrip() throws {
        let values: [Float] = (0..<24).map { Float($0) * -0.37 }
        let file = try #require(NPYFile(shape: [2, 3, 4], values: values))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("values.npy")
        try file.write(to: url)
        let (header, parsed) = try parse(try Data(contentsOf: url))
        #expect(header == "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }")
        #expect(parsed.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("One-dimensional shapes are written as 1-tuples; special values survive")
    func oneDimensional() throws {
        let values: [Float] = [.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1]
        let file = try #require(NPYFile(shape: [5], values: values))
        let (header, parsed) = try parse(file.data)
        #expect(header.contains("'shape': (5,)"))
        #expect(parsed.map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test("A shape that does not match the value count is refused")
    func mismatchedShape() {
        #expect(NPYFile(shape: [2, 2], values: [1, 2, 3]) == nil)
        #expect(NPYFile(shape: [-1, -3], values: [1, 2, 3]) == nil)
    }
}
