/// A file or input name as plain-text output and error messages print it: one line, readable back. A backslash becomes
/// `\\`; newline, tab and carriage return `\n`, `\t` and `\r`; any other control byte (below 0x20, and 0x7F) and every
/// byte that is not part of valid UTF-8 `\xHH`. Other text is printed as it is. These are the escapes of C and of
/// Python's `repr` of bytes, which `printf '%b'` turns back into the name.
package enum PrintableName {
    package static func escaped(_ bytes: some Collection<UInt8>) -> String {
        var text = ""
        var rest = bytes[...]
        while !rest.isEmpty {
            // The longest valid UTF-8 prefix is kept as text; a byte that starts no valid sequence is escaped.
            let valid = validPrefixLength(rest)
            if valid == 0 {
                text += hex(rest.removeFirst())
                continue
            }
            for scalar in String(decoding: rest.prefix(valid), as: UTF8.self).unicodeScalars {
                switch scalar {
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\t": text += "\\t"
                case "\r": text += "\\r"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F: text += hex(UInt8(scalar.value))
                default: text.unicodeScalars.append(scalar)
                }
            }
            rest = rest.dropFirst(valid)
        }
        return text
    }

    /// How a name is written where text must be valid UTF-8 (JSON lines, keys): the name itself, or its escaped form
    /// when it is not UTF-8.
    package static func label(_ bytes: some Collection<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? escaped(bytes)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
    }

    /// How many bytes at the start of `bytes` are whole, valid UTF-8 sequences.
    private static func validPrefixLength(_ bytes: some Collection<UInt8>) -> Int {
        var length = 0
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            length += UTF8.width(scalar)
        }
        return length
    }
}
