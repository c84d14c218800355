import Foundation

/// The JSON header of a `.safetensors` file, read in one pass straight into tensor entries, without building a JSON
/// object tree: memory stays a few dozen bytes a tensor whatever the header spells out, and the number of tensors and
/// of dimensions is bounded. (A tree of Foundation objects takes about 4 KB a tensor: a 67 MB header of a million
/// empty tensors took 4 GB.)
struct SafetensorsHeader {
    /// Most tensors a header may list. GIT checkpoints have under 1000 (git-large about 600); the largest published
    /// safetensors shards of any model a few thousand.
    static let maximumTensorCount = 100_000
    /// Most dimensions of a tensor (PyTorch's and NumPy's limit is 64).
    static let maximumDimensions = 64
    /// Deepest nesting of the values of keys that are not read (a tensor entry's unknown keys).
    static let maximumSkippedDepth = 64

    /// The tensors, in the order of their data.
    let tensors: [TensorInfo]
    /// The `__metadata__` string map.
    let metadata: [String: String]

    /// Parses `bytes` (the header, without its length prefix), whose tensors lie in a data section of `dataLength`
    /// bytes.
    init(_ bytes: UnsafeRawBufferPointer, dataLength: Int, url: URL) throws {
        var reader = Reader(bytes: bytes, url: url)
        var tensors = [TensorInfo](), names = Set<String>(), metadata = [String: String]()
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "{") else {
            try reader.skipValue(depth: 0)
            reader.skipWhitespace()
            throw reader.peek() == nil ? CheckpointError.invalidHeader(url, reason: "the header is not a JSON object") : reader.syntaxError()
        }
        try reader.members { reader, name in
            if name == "__metadata__" {
                guard reader.peek() == UInt8(ascii: "{") else {
                    throw CheckpointError.invalidHeader(url, reason: "__metadata__ is not an object")
                }
                try reader.members { reader, key in
                    guard reader.peek() == UInt8(ascii: "\"") else {
                        throw CheckpointError.invalidHeader(url, reason: "__metadata__ value of '\(key)' is not a string")
                    }
                    metadata[key] = try reader.string()
                }
                return
            }
            guard tensors.count < Self.maximumTensorCount else {
                throw CheckpointError.invalidHeader(url, reason: "more than \(Self.maximumTensorCount) tensors")
            }
            guard names.insert(name).inserted else { throw CheckpointError.invalidHeader(url, reason: "tensor '\(name)' is listed twice") }
            tensors.append(try Self.entry(name: name, &reader, dataLength: dataLength, url: url))
        }
        reader.skipWhitespace()
        guard reader.peek() == nil else { throw reader.syntaxError() }
        tensors.sort { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        for (previous, next) in zip(tensors, tensors.dropFirst()) where next.dataRange.lowerBound < previous.dataRange.upperBound {
            throw CheckpointError.overlappingTensors(url, first: previous.name, second: next.name)
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// One tensor's object: `dtype`, `shape`, `data_offsets` (other keys are skipped, as the reference does).
    private static func entry(name: String, _ reader: inout Reader, dataLength: Int, url: URL) throws -> TensorInfo {
        func invalid(_ reason: String) -> CheckpointError { .invalidTensorEntry(url, tensor: name, reason: reason) }
        guard reader.peek() == UInt8(ascii: "{") else { throw invalid("entry is not an object") }
        var dtypeName: String?, shape: [Int]?, offsets: [Int]?
        try reader.members { reader, key in
            switch key {
            case "dtype":
                guard reader.peek() == UInt8(ascii: "\"") else { throw invalid("missing or non-string 'dtype'") }
                dtypeName = try reader.string()
            case "shape":
                shape = try reader.counts(limit: maximumDimensions, invalid("'shape' must be a list of at most "
                    + "\(maximumDimensions) non-negative integers"))
            case "data_offsets":
                offsets = try reader.counts(limit: 2, invalid("'data_offsets' must be a list of two integers"))
            default:
                try reader.skipValue(depth: 0)
            }
        }
        guard let dtypeName else { throw invalid("missing or non-string 'dtype'") }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            throw CheckpointError.unsupportedDType(url, tensor: name, dtype: dtypeName)
        }
        guard let shape else { throw invalid("'shape' must be a list of non-negative integers") }
        guard let offsets, offsets.count == 2 else { throw invalid("'data_offsets' must be a list of two integers") }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataLength else {
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

    /// A cursor over JSON text (RFC 8259).
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        let url: URL
        var position = 0

        func syntaxError() -> CheckpointError { .invalidHeader(url, reason: "not valid JSON") }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { position += 1 }
        }

        mutating func expect(_ character: Unicode.Scalar) throws {
            skipWhitespace()
            guard peek() == UInt8(ascii: character) else { throw syntaxError() }
            position += 1
        }

        /// Reads an object (the reader is at its `{`): for each key, `value` reads the value.
        mutating func members(_ value: (inout Reader, String) throws -> Void) throws {
            try expect("{")
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw syntaxError() }
                let key = try string()
                try expect(":")
                skipWhitespace()
                try value(&self, key)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return
                default: throw syntaxError()
                }
            }
        }

        /// Reads a string (the reader is at its opening quote).
        mutating func string() throws -> String {
            position += 1
            let start = position
            while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 { position += 1 }
            if peek() == UInt8(ascii: "\"") {
                defer { position += 1 }
                guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self) else {
                    throw syntaxError()
                }
                return text
            }
            var utf8 = Array(bytes[start..<position])
            while let byte = peek() {
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: utf8, as: UTF8.self) else { throw syntaxError() }
                    return text
                case UInt8(ascii: "\\"):
                    guard let escape = peek() else { throw syntaxError() }
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0c)
                    case UInt8(ascii: "n"): utf8.append(0x0a)
                    case UInt8(ascii: "r"): utf8.append(0x0d)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hexQuad()
                        if (0xd800..<0xdc00).contains(code), peek() == UInt8(ascii: "\\"), position + 1 < bytes.count,
                           bytes[position + 1] == UInt8(ascii: "u") {
                            position += 2
                            let low = try hexQuad()
                            guard (0xdc00..<0xe000).contains(low) else { throw syntaxError() }
                            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw syntaxError() }
                        utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default: throw syntaxError()
                    }
                case 0..<0x20: throw syntaxError()
                default: utf8.append(byte)
                }
            }
            throw syntaxError()
        }

        private mutating func hexQuad() throws -> UInt32 {
            guard position + 4 <= bytes.count,
                  let code = UInt32(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<position + 4]), as: UTF8.self), radix: 16)
            else { throw syntaxError() }
            position += 4
            return code
        }

        /// Reads a list of at most `limit` non-negative integers (the reader is at its `[`); anything else in it is
        /// `invalid`.
        mutating func counts(limit: Int, _ invalid: CheckpointError) throws -> [Int] {
            guard peek() == UInt8(ascii: "[") else { throw invalid }
            position += 1
            var values = [Int]()
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                position += 1
                return values
            }
            while true {
                skipWhitespace()
                guard values.count < limit, let value = try count() else { throw invalid }
                values.append(value)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return values
                default: throw syntaxError()
                }
            }
        }

        /// Reads a number: its value if it is a non-negative integer that fits an `Int`, else nil.
        private mutating func count() throws -> Int? {
            let start = position
            if peek() == UInt8(ascii: "-") { position += 1 }
            let digitsStart = position
            var value = 0, fits = true
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                let (product, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, carry) = product.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                if overflow || carry { fits = false }
                value = sum
                position += 1
            }
            let digits = position - digitsStart
            guard digits > 0, digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { throw syntaxError() }
            var whole = true
            if peek() == UInt8(ascii: ".") {
                position += 1
                guard skipDigits() else { throw syntaxError() }
                whole = false
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                position += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
                guard skipDigits() else { throw syntaxError() }
                whole = false
            }
            return whole && fits && bytes[start] != UInt8(ascii: "-") ? value : nil
        }

        /// Skips digits; whether there was at least one.
        private mutating func skipDigits() -> Bool {
            let start = position
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            return position > start
        }

        /// Skips any JSON value, nested at most ``SafetensorsHeader/maximumSkippedDepth`` deep.
        mutating func skipValue(depth: Int) throws {
            guard depth < SafetensorsHeader.maximumSkippedDepth else { throw syntaxError() }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: "{"):
                try members { reader, _ in try reader.skipValue(depth: depth + 1) }
            case UInt8(ascii: "["):
                position += 1
                skipWhitespace()
                if peek() == UInt8(ascii: "]") {
                    position += 1
                    return
                }
                while true {
                    try skipValue(depth: depth + 1)
                    skipWhitespace()
                    switch peek() {
                    case UInt8(ascii: ","): position += 1
                    case UInt8(ascii: "]"):
                        position += 1
                        return
                    default: throw syntaxError()
                    }
                }
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: _ = try count()
            }
        }

        private mutating func literal(_ word: String) throws {
            let utf8 = Array(word.utf8)
            guard position + utf8.count <= bytes.count, bytes[position..<position + utf8.count].elementsEqual(utf8) else {
                throw syntaxError()
            }
            position += utf8.count
        }
    }
}
