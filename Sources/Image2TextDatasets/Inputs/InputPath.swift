import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file path as the bytes the system uses, which on Linux need not be UTF-8. Swift decodes `argv` as UTF-8, and
/// Foundation's `String`, `URL` and `FileManager` turn bytes that are not UTF-8 into U+FFFD, which names another,
/// usually missing, file. So paths are kept as bytes, tested and listed with the C library, and a path that is not
/// UTF-8 is handed to the decoders as `/dev/fd/N` of the file opened by its bytes.
package struct InputPath: Hashable, Comparable, Sendable {
    package let bytes: [UInt8]

    package init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    package init(_ path: String) {
        bytes = Array(path.utf8)
    }

    /// The path as a `String`, when its bytes are UTF-8.
    package var string: String? { String(validating: bytes, as: UTF8.self) }

    /// How plain text and errors name the path (``PrintableName``).
    package var printable: String { PrintableName.escaped(bytes) }

    /// The paths of command-line `arguments` (as ArgumentParser gives them, in order). An argument that is not UTF-8
    /// reached us with U+FFFD in place of its bad bytes; its own bytes are those of the next `argv` entry that decodes
    /// to the same text.
    package static func commandLine(_ arguments: [String]) -> [InputPath] {
        let argv = (0..<Int(CommandLine.argc)).map { index in
            CommandLine.unsafeArgv[index].map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) } ?? []
        }
        var next = 1
        return arguments.map { argument in
            guard argument.unicodeScalars.contains("\u{FFFD}"),
                let index = argv[min(next, argv.count)...].firstIndex(where: { String(decoding: $0, as: UTF8.self) == argument })
            else { return InputPath(argument) }
            next = index + 1
            return InputPath(bytes: argv[index])
        }
    }

    package enum Kind {
        case directory
        case file
    }

    /// What the path names, following symbolic links; nil when nothing (or nothing reachable) is there.
    package var kind: Kind? {
        var status = stat()
        guard withCString({ stat($0, &status) }) == 0 else { return nil }
        return status.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR) ? .directory : .file
    }

    /// Whether the path is a directory itself, not a symbolic link to one.
    package var isRealDirectory: Bool {
        var status = stat()
        return withCString { lstat($0, &status) } == 0 && status.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR)
    }

    /// The name's extension (after the last dot of the last component), lowercased; empty without one.
    package var pathExtension: String {
        let name = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).last ?? []
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    /// The bytes of the last component (empty for `/`).
    package var lastComponent: ArraySlice<UInt8> {
        let trimmed = bytes.count > 1 && bytes.last == UInt8(ascii: "/") ? bytes.dropLast() : bytes[...]
        return trimmed[(trimmed.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? trimmed.startIndex)...]
    }

    /// The folder part: everything before the last component (`.` when there is none).
    package var folder: InputPath {
        let trimmed = bytes.count > 1 && bytes.last == UInt8(ascii: "/") ? bytes.dropLast() : bytes[...]
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else { return InputPath(".") }
        return slash == trimmed.startIndex ? InputPath("/") : InputPath(bytes: trimmed[..<slash])
    }

    /// The absolute path with every symbolic link resolved (`realpath(3)`); for a path that does not exist, its
    /// folder's resolved (or, when that is missing too, made absolute by name) and the last component as named.
    package var resolved: InputPath {
        if let real = Self.realPath(self) { return real }
        let name = lastComponent
        if name.isEmpty || name.elementsEqual(".".utf8) || name.elementsEqual("..".utf8) { return lexicallyAbsolute }
        return folder.resolved.appending(name)
    }

    /// The absolute path of the file itself: its folder resolved (``resolved``) and the last component as named, so
    /// that a symbolic link to a file keeps its own name. A directory is resolved whole.
    package var canonicalFile: InputPath {
        if kind == .directory || lastComponent.elementsEqual(".".utf8) || lastComponent.elementsEqual("..".utf8) { return resolved }
        return folder.resolved.appending(lastComponent)
    }

    /// This path below `root` as a relative path (`a/b.png`); nil when it is not below it. Both must be absolute.
    package func relative(to root: InputPath) -> String? {
        let prefix = root.bytes == Array("/".utf8) ? root.bytes : root.bytes + Array("/".utf8)
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        return PrintableName.label(bytes[prefix.count...])
    }

    /// The path made absolute against the working directory, `.` and `..` components applied by name.
    private var lexicallyAbsolute: InputPath {
        var parts: [ArraySlice<UInt8>] = []
        if bytes.first != UInt8(ascii: "/") {
            let cwd = FileManager.default.currentDirectoryPath
            parts = Array(cwd.utf8).split(separator: UInt8(ascii: "/")).map { ArraySlice($0) }
        }
        for part in bytes.split(separator: UInt8(ascii: "/")) {
            if part.elementsEqual(".".utf8) { continue }
            if part.elementsEqual("..".utf8) { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return InputPath(bytes: Array("/".utf8) + Array(parts.joined(separator: [UInt8(ascii: "/")])))
    }

    private static func realPath(_ path: InputPath) -> InputPath? {
        guard let resolved = path.withCString({ realpath($0, nil) }) else { return nil }
        defer { free(resolved) }
        return InputPath(bytes: UnsafeBufferPointer(start: UnsafeRawPointer(resolved).assumingMemoryBound(to: UInt8.self), count: strlen(resolved)))
    }

    /// `self/component`.
    package func appending(_ component: some Collection<UInt8>) -> InputPath {
        InputPath(bytes: bytes + (bytes.last == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]) + component)
    }

    package func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// Runs `body` with a file URL that opens this path. A path that is not UTF-8 is opened here and given as
    /// `/dev/fd/N` for the time of `body`; an error naming that stand-in is given back naming the path.
    package func withFileURL<Result>(_ body: (URL) throws -> Result) throws -> Result {
        if let string { return try body(URL(fileURLWithPath: string)) }
        let descriptor = withCString { open($0, O_RDONLY) }
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "file not found" : "cannot read the file: " + String(cString: strerror(errno))
            throw InputError(path: printable, message: reason)
        }
        defer { close(descriptor) }
        let standIn = "/dev/fd/\(descriptor)"
        do {
            return try body(URL(fileURLWithPath: standIn))
        } catch {
            let description = String(describing: error)
            guard description.hasPrefix(standIn + ": ") else { throw error }
            throw InputError(path: printable, message: String(description.dropFirst(standIn.count + 2)))
        }
    }

    package static func < (lhs: InputPath, rhs: InputPath) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
