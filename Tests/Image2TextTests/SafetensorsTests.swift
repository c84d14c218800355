import Foundation
import Testing
@testable import Image2Text

@Suite struct SafetensorsTests {
    private func floats(_ values: [Float]) -> Data { values.withUnsafeBytes { Data($0) } }

    /// Writes a file from a raw header (any JSON text, even a lying one) and `dataLength` zero bytes.
    private func rawFile(header: String, dataLength: Int = 16, declaredLength: UInt64? = nil) throws -> URL {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("model.safetensors")
        var bytes = Data()
        var length = (declaredLength ?? UInt64(header.utf8.count)).littleEndian
        bytes.append(Data(bytes: &length, count: 8))
        bytes.append(Data(header.utf8))
        bytes.append(Data(count: dataLength))
        try bytes.write(to: url)
        return url
    }

    @Test("written tensors read back byte-identical, in data order, with metadata")
    func roundTrip() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("model.safetensors")
        let half: [UInt16] = [0x3c00, 0xc000, 0x7bff]
        try SafetensorsFile.write([
            TensorData(name: "b.weight", dtype: .float32, shape: [2, 3], bytes: floats([1, 2, 3, 4, 5, -6])),
            TensorData(name: "a.scalar", dtype: .float32, shape: [], bytes: floats([7])),
            TensorData(name: "c.half", dtype: .float16, shape: [3], bytes: half.withUnsafeBytes { Data($0) }),
            TensorData(name: "empty", dtype: .bfloat16, shape: [0, 4], bytes: Data()),
        ], metadata: ["format": "pt"], to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.map(\.name) == ["b.weight", "a.scalar", "c.half", "empty"])
        let weight = try #require(file["b.weight"])
        #expect(weight.shape == [2, 3] && weight.dtype == .float32 && weight.elementCount == 6)
        #expect(Array(file.bytes(of: weight).bindMemory(to: Float.self)) == [1, 2, 3, 4, 5, -6])
        #expect(Array(file.bytes(of: try #require(file["a.scalar"])).bindMemory(to: Float.self)) == [7])
        #expect(Array(file.bytes(of: try #require(file["c.half"])).bindMemory(to: UInt16.self)) == half)
        #expect(file["missing"] == nil)
        // The header is padded so that the data section starts 8-byte aligned.
        let raw = try Data(contentsOf: url)
        #expect(raw.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8 == 0)
    }

    @Test("a header that lies is rejected with a typed error naming the file", arguments: [
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", "byte count differs from shape"),
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", "offsets past the data"),
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "end before begin"),
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "negative dimension"),
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", "fractional dimension"),
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "one offset"),
        ("{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "no dtype"),
        ("{\"w\":[1,2]}", "entry not an object"),
        ("{\"w\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}", "overflowing shape"),
        ("{\"__metadata__\":{\"format\":1}}", "metadata value not a string"),
    ])
    func lyingHeader(header: String, _ what: String) throws {
        let url = try rawFile(header: header)
        #expect(throws: CheckpointError.self, "\(what)") { try SafetensorsFile(contentsOf: url) }
        do {
            _ = try SafetensorsFile(contentsOf: url)
        } catch {
            #expect("\(error)".contains(url.path))
        }
    }

    @Test func unsupportedDType() throws {
        let url = try rawFile(header: "{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}")
        #expect(throws: CheckpointError.unsupportedDType(url, tensor: "w", dtype: "F64")) { try SafetensorsFile(contentsOf: url) }
    }

    @Test func overlappingTensors() throws {
        let url = try rawFile(header: """
            {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}
            """)
        #expect(throws: CheckpointError.overlappingTensors(url, first: "a", second: "b")) { try SafetensorsFile(contentsOf: url) }
    }

    @Test("header length prefix: too long, past the end, file too short, not JSON, not an object")
    func badPrefix() throws {
        let huge = try rawFile(header: "{}", declaredLength: 200_000_000)
        #expect(throws: CheckpointError.self) { try SafetensorsFile(contentsOf: huge) }
        let pastEnd = try rawFile(header: "{}", dataLength: 0, declaredLength: 1000)
        #expect(throws: CheckpointError.self) { try SafetensorsFile(contentsOf: pastEnd) }
        let short = try Fixtures.temporaryDirectory().appendingPathComponent("short.safetensors")
        try Data([1, 2, 3]).write(to: short)
        #expect(throws: CheckpointError.self) { try SafetensorsFile(contentsOf: short) }
        let empty = try Fixtures.temporaryDirectory().appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        #expect(throws: CheckpointError.self) { try SafetensorsFile(contentsOf: empty) }
        let notJSON = try rawFile(header: "not json")
        #expect(throws: CheckpointError.invalidHeader(notJSON, reason: "not valid JSON")) { try SafetensorsFile(contentsOf: notJSON) }
        #expect(throws: CheckpointError.self) { try SafetensorsFile(contentsOf: try rawFile(header: "[1,2]")) }
    }

    @Test func missingFile() {
        let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        #expect(throws: CheckpointError.missingFile(url)) { try SafetensorsFile(contentsOf: url) }
    }
}
