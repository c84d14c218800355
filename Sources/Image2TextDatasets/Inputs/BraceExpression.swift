/// Brace expansion of shard lists as WebDataset and the shell write them: `shards/{00000..00127}.tar` is 128 names,
/// `{a,b}` is two. A range `{A..B}` counts from A to B (down when B < A) and pads every number with zeros to the
/// width of the wider end when either is written with a leading zero; a list `{x,y,z}` takes each item. Several
/// groups multiply out, left to right; groups do not nest. Bytes outside groups are kept as they are.
package enum BraceExpression {
    /// At most this many names: a typo such as `{0..99999999}` is refused instead of filling the memory.
    package static var expansionLimit: Int { 1_000_000 }

    /// Why `pattern` cannot be expanded, and at which byte (from 0).
    package struct Failure: Error, Equatable, CustomStringConvertible {
        package let pattern: String
        package let offset: Int
        package let reason: String

        package var description: String { "\(pattern): brace expression at byte \(offset): \(reason)" }
    }

    /// Whether `bytes` hold a brace group to expand.
    package static func isExpression(_ bytes: [UInt8]) -> Bool {
        bytes.contains(UInt8(ascii: "{"))
    }

    /// The bytes before the first group: what every expansion starts with.
    package static func fixedPrefix(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.prefix { $0 != UInt8(ascii: "{") })
    }

    /// The names `bytes` stand for, in order; more than `limit` is an error.
    package static func expand(_ bytes: [UInt8], limit: Int = expansionLimit) throws(Failure) -> [[UInt8]] {
        var names: [[UInt8]] = [[]]
        var index = 0
        func fail(_ offset: Int, _ reason: String) -> Failure {
            Failure(pattern: PrintableName.escaped(bytes), offset: offset, reason: reason)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "}") { throw fail(index, "a } with no { before it") }
            guard byte == UInt8(ascii: "{") else {
                let literal = bytes[index...].prefix { $0 != UInt8(ascii: "{") && $0 != UInt8(ascii: "}") }
                names = names.map { $0 + literal }
                index += literal.count
                continue
            }
            guard let close = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "}")) else { throw fail(index, "a { that is never closed") }
            let body = Array(bytes[(index + 1)..<close])
            if body.contains(UInt8(ascii: "{")) { throw fail(index, "groups do not nest") }
            let items = try group(body, offset: index, limit: limit, fail: fail)
            let product = names.count.multipliedReportingOverflow(by: items.count)
            guard !product.overflow, product.partialValue <= limit else { throw fail(index, "more than \(limit) names") }
            names = names.flatMap { name in items.map { name + $0 } }
            index = close + 1
        }
        return names
    }

    /// The items of one group's body.
    private static func group(_ body: [UInt8], offset: Int, limit: Int, fail: (Int, String) -> Failure) throws(Failure) -> [[UInt8]] {
        let text = String(decoding: body, as: UTF8.self)
        if let range = text.range(of: "..") {
            let (low, high) = (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
            guard let first = Int(low), let last = Int(high), low.allSatisfy(\.isASCII), high.allSatisfy(\.isASCII) else {
                throw fail(offset, "a range is {A..B} with two whole numbers, got {\(PrintableName.escaped(body))}")
            }
            let count = first <= last ? last.subtractingReportingOverflow(first) : first.subtractingReportingOverflow(last)
            guard !count.overflow, count.partialValue < limit else { throw fail(offset, "more than \(limit) names") }
            let padded = [low, high].contains { $0.hasPrefix("0") && $0.count > 1 || $0.hasPrefix("-0") }
            let width = padded ? max(low.count, high.count) : 0
            let numbers = first <= last ? Array(first...last) : Array((last...first).reversed())
            return numbers.map { number in
                let digits = String(number.magnitude)
                let sign = number < 0 ? "-" : ""
                return Array((sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits).utf8)
            }
        }
        guard body.contains(UInt8(ascii: ",")) else {
            throw fail(offset, "a group is a range {A..B} or a list {a,b}, got {\(PrintableName.escaped(body))}")
        }
        return body.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map(Array.init)
    }
}
