/// Comma- or tab-separated text as RFC 4180 writes it and pandas, DuckDB and Python's `csv` read it: a field that holds
/// the delimiter, a quote, a carriage return or a newline is quoted, a quote inside doubled; records end with `\n`
/// (a `\r` before it is dropped when read).
package struct CSVText: Sendable, Equatable {
    package let delimiter: UInt8

    package static let comma = CSVText(delimiter: UInt8(ascii: ","))
    package static let tab = CSVText(delimiter: UInt8(ascii: "\t"))

    /// A field that cannot be read: where, and why.
    package struct Failure: Error, Equatable {
        package let line: Int
        package let reason: String
    }

    /// One record and where it ends.
    package struct Record: Equatable {
        package var fields: [String]
        /// The line it starts on, from 1.
        package var line: Int
        /// The byte after its newline.
        package var end: Int
    }

    /// One record's line, newline included.
    package func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: String(UnicodeScalar(delimiter))) + "\n"
    }

    private func quoted(_ field: String) -> String {
        let special = field.utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        return special ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// The whole records of `bytes`, and the start of an unfinished last one (no newline after it) when there is one.
    package func records(_ bytes: some Collection<UInt8>) throws(Failure) -> (records: [Record], unfinished: Int?) {
        let bytes = Array(bytes)
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var index = 0, line = 1, recordLine = 1, recordStart = 0
        var quoted = false, wasQuoted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field = []
            wasQuoted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 2
                        continue
                    }
                    quoted = false
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                guard field.isEmpty && !wasQuoted else { throw Failure(line: line, reason: "a quote inside an unquoted field") }
                quoted = true
                wasQuoted = true
            case delimiter:
                endField()
            case UInt8(ascii: "\n"):
                if field.last == UInt8(ascii: "\r") && !wasQuoted { field.removeLast() }
                endField()
                records.append(Record(fields: fields, line: recordLine, end: index + 1))
                fields = []
                line += 1
                recordLine = line
                recordStart = index + 1
            case UInt8(ascii: "\r") where wasQuoted && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n"):
                break
            default:
                if wasQuoted { throw Failure(line: line, reason: "text after a closing quote") }
                field.append(byte)
            }
            index += 1
        }
        return (records, recordStart < bytes.count ? recordStart : nil)
    }
}
