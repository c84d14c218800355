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
        let url = try rawFile(header: "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}")
        #expect(throws: CheckpointError.unsupportedDType(url, tensor: "w", dtype: "F8_E4M3")) { try SafetensorsFile(contentsOf: url) }
    }

    @Test("the buffer types of real state dicts are read (F64, I64, I32, I16, U8, BOOL)")
    func bufferTypes() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("model.safetensors")
        let types: [TensorDType] = [.float64, .int64, .int32, .int16, .uint8, .bool]
        try SafetensorsFile.write(types.map { TensorData(name: $0.rawValue, dtype: $0, shape: [3], bytes: Data(count: 3 * $0.byteSize)) }, to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(Set(file.tensors.map(\.dtype)) == Set(types))
    }

    @Test("escapes, unknown keys (skipped) and the padding spaces of the reference writer")
    func jsonSyntax() throws {
        let url = try rawFile(header: #"""
             { "a\u00e9\n\ud83d\ude00" : {"dtype":"F32", "extra": {"x": [1, {"y": null}, -2.5e3], "z": true},
              "shape": [ 1 ], "data_offsets": [0, 4]}, "__metadata__": {"format": "p\"t\/"}}	
            """# + "   ", dataLength: 4)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.tensors.map(\.name) == ["a\u{e9}\n\u{1F600}"] && file.metadata == ["format": "p\"t/"])
    }

    @Test("a header that is not JSON, in its details, is named as such", arguments: [
        #"{"w":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#, #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},}"#,
        #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#, #"{"w\x":{}}"#, "{\"w\u{1}\":{}}", #"{"w":{"a":tru}}"#,
        #"{"\ud800":{}}"#, "{\"\u{FF}\":{}}",
    ])
    func notJSON(header: String) throws {
        var raw = Data(header.utf8)
        if header == "{\"\u{FF}\":{}}" { raw = Data([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x7b, 0x7d, 0x7d]) }  // a byte that is not UTF-8
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("model.safetensors")
        var length = UInt64(raw.count).littleEndian
        try (Data(bytes: &length, count: 8) + raw + Data(count: 4)).write(to: url)
        #expect(throws: CheckpointError.invalidHeader(url, reason: "not valid JSON")) { try SafetensorsFile(contentsOf: url) }
    }

    @Test("a tensor listed twice, or with more than 64 dimensions, is refused")
    func duplicatesAndDimensions() throws {
        let twice = try rawFile(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#)
        #expect(throws: CheckpointError.invalidHeader(twice, reason: "tensor 'w' is listed twice")) { try SafetensorsFile(contentsOf: twice) }
        let shape = Array(repeating: "1", count: 65).joined(separator: ",")
        let deep = try rawFile(header: #"{"w":{"dtype":"F32","shape":["# + shape + #"],"data_offsets":[0,4]}}"#)
        #expect(throws: CheckpointError.invalidTensorEntry(deep, tensor: "w", reason: "'shape' must be a list of at most 64 non-negative integers")) {
            try SafetensorsFile(contentsOf: deep)
        }
    }

    /// A header of `count` empty tensors (about 55 bytes each).
    private func tinyEntries(_ count: Int) throws -> URL {
        var header = Data("{".utf8)
        for index in 0..<count {
            if index > 0 { header.append(UInt8(ascii: ",")) }
            header.append(contentsOf: Array(#""t\#(index)":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}"#.utf8))
        }
        header.append(UInt8(ascii: "}"))
        return try rawFile(header: String(decoding: header, as: UTF8.self), dataLength: 0)
    }

    @Test("a header of a million tiny tensors (56 MB) is refused past 100,000 tensors, quickly; 100,000 load")
    func millionTensors() throws {
        let million = try tinyEntries(1_000_000)
        let clock = ContinuousClock(), start = clock.now
        #expect(throws: CheckpointError.invalidHeader(million, reason: "more than 100000 tensors")) { try SafetensorsFile(contentsOf: million) }
        // The JSONSerialization parse this replaces took a minute and 4 GB on this header.
        #expect(clock.now - start < .seconds(10))
        #expect(try SafetensorsFile(contentsOf: try tinyEntries(SafetensorsHeader.maximumTensorCount)).tensors.count == 100_000)
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
