import Foundation

/// `--files-from LIST`: one path per line (a trailing carriage return is dropped, blank lines are skipped), each taken
/// as it is written (no patterns or braces), relative paths from the working directory; `-` reads the list from
/// standard input.
package enum InputListFile {
    package static func read(_ list: String, standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> [InputPath] {
        let data: Data
        if list == "-" {
            data = standardInput()
        } else {
            guard let contents = FileManager.default.contents(atPath: list) else {
                throw InputError(path: list, message: FileManager.default.fileExists(atPath: list) ? "cannot read the list" : "file not found")
            }
            data = contents
        }
        return paths(in: data)
    }

    /// The paths of a list's bytes.
    package static func paths(in data: Data) -> [InputPath] {
        data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let path = line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...]
            return path.isEmpty ? nil : InputPath(bytes: path)
        }
    }
}
