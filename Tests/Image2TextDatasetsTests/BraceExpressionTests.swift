import Testing
@testable import Image2TextDatasets

/// Brace expansion of shard lists: zero-padded ranges, lists, several groups, and errors that name the byte.
@Suite struct BraceExpressionTests {
    func expand(_ text: String, limit: Int = BraceExpression.expansionLimit) throws -> [String] {
        try BraceExpression.expand(Array(text.utf8), limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("{00000..00127} is 128 zero-padded names; {8..11} is unpadded; a range may count down")
    func ranges() throws {
        let names = try expand("shards/{00000..00127}.tar")
        #expect(names.count == 128 && names.first == "shards/00000.tar" && names.last == "shards/00127.tar")
        #expect(try expand("{8..11}") == ["8", "9", "10", "11"])
        #expect(try expand("{3..1}") == ["3", "2", "1"])
        #expect(try expand("{-1..01}") == ["-1", "00", "01"])
    }

    @Test("lists and several groups multiply out left to right; text without braces is one name")
    func listsAndGroups() throws {
        #expect(try expand("{a,b}/{1..2}.png") == ["a/1.png", "a/2.png", "b/1.png", "b/2.png"])
        #expect(try expand("x{,-old}.tar") == ["x.tar", "x-old.tar"])
        #expect(try expand("plain.tar") == ["plain.tar"])
    }

    @Test("an unclosed or stray brace, a nested group, a group that is neither a range nor a list, or too many names: an error naming the byte",
          arguments: [("a{0..3", 1, "never closed"), ("a}b", 1, "no { before it"), ("{a{b}}", 0, "do not nest"),
                      ("x{abc}", 1, "a range {A..B} or a list"), ("{a..z}", 0, "two whole numbers"),
                      ("{0..99}{0..99}", 7, "more than 1000 names")])
    func errors(pattern: String, offset: Int, reason: String) {
        do {
            _ = try expand(pattern, limit: 1000)
            Issue.record("\(pattern) expanded")
        } catch let error as BraceExpression.Failure {
            #expect(error.offset == offset && error.reason.contains(reason), "\(error)")
            #expect(error.description.hasPrefix("\(pattern): brace expression at byte \(offset): "))
        } catch {
            Issue.record(error)
        }
    }
}
