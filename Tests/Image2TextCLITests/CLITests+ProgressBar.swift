import Foundation
import Image2TextTestSupport
import Testing

/// On a terminal the progress bar stays on the last line: results and messages go above it, each whole.
extension CLITests {
    /// Runs the binary with standard output and error on one pseudo-terminal (util-linux `script`), as a user's
    /// terminal shows them; returns the exit status and the bytes written to the terminal.
    func runOnTerminal(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let quoted = ([Self.binary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", quoted.joined(separator: " "), "/dev/null"]
        process.currentDirectoryURL = Repository.root
        process.environment = Self.environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: bytes, as: UTF8.self))
    }

    /// The lines a terminal shows after `output`: carriage return, line feed and erase-to-end-of-line (ESC [ K) as a
    /// terminal applies them, every other character written over the cell under the cursor.
    static func screen(_ output: String) -> [String] {
        var lines: [[Character]] = [[]]
        var (row, column) = (0, 0)
        var characters = output.makeIterator()
        while let character = characters.next() {
            switch character {
            case "\r": column = 0
            case "\n":
                row += 1
                if row == lines.count { lines.append([]) }
            case "\u{1B}":
                let sequence = [characters.next(), characters.next()]
                #expect(sequence == ["[", "K"], "only ESC [ K is drawn")
                lines[row].removeSubrange(min(column, lines[row].count)...)
            case "\r\n":  // Swift reads CR LF as one character
                (row, column) = (row + 1, 0)
                if row == lines.count { lines.append([]) }
            default:
                while lines[row].count < column { lines[row].append(" ") }
                if column < lines[row].count { lines[row][column] = character } else { lines[row].append(character) }
                column += 1
            }
        }
        return lines.map { String($0) }.filter { !$0.isEmpty }
    }

    @Test("on a terminal each result is a whole line above the progress bar, which ends on the last line",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func progressBarKeepsToItsLine() throws {
        let images = ["Fixtures/easyvqa/0.png", "Fixtures/images/bad/truncated.png", "Fixtures/easyvqa/5.png", "Fixtures/easyvqa/10.png"]
        let (status, output) = try runOnTerminal(["caption"] + images)
        #expect(status == 1, "\(output)")
        let lines = Self.screen(output)
        let expected = ["Fixtures/easyvqa/0.png: a red triangle", "Error: Fixtures/images/bad/truncated.png: truncated PNG data",
                        "Fixtures/easyvqa/5.png: a brown rectangle", "Fixtures/easyvqa/10.png: a red circle"]
        let above = lines.dropLast()
        #expect(above.count == expected.count && zip(above, expected).allSatisfy { $0 == $1 || ($1.hasPrefix("Error: ") && $0.hasPrefix($1)) }, "\(lines)")
        #expect(lines.last?.hasPrefix("[##############################] 4/4 ") == true, "\(lines)")
        // The bar was drawn before the later results were printed: they went above it.
        let firstBar = try #require(output.range(of: "] 1/4 ")), later = try #require(output.range(of: "Fixtures/easyvqa/10.png: "))
        #expect(firstBar.lowerBound < later.lowerBound, "\(output)")
    }
}
