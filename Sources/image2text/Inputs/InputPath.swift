import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file path as the bytes the system uses, which on Linux need not be UTF-8. Swift decodes `argv` as UTF-8, and
/// Foundation's `String`, `URL` and `FileManager` turn bytes that are not UTF-8 into U+FFFD, which names another,
/// usually missing, file. So paths are kept as bytes, tested and listed with the C library, and a path that is not
/// UTF-8 is handed to the decoders as `/dev/fd/N` of the file opened by its bytes.
struct InputPath: Hashable, Comparable {
    let bytes: [UInt8]

    init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    init(_ path: String) {
        bytes = Array(path.utf8)
    }

    /// The path as a `String`, when its bytes are UTF-8.
    var string: String? { String(validating: bytes, as: UTF8.self) }

    /// How plain text and errors name the path (``PrintableName``).
    var printable: String { PrintableName.escaped(bytes) }

    /// The paths of command-line `arguments` (as ArgumentParser gives them, in order). An argument that is not UTF-8
    /// reached us with U+FFFD in place of its bad bytes; its own bytes are those of the next `argv` entry that decodes
    /// to the same text.
    static func commandLine(_ arguments: [String]) -> [InputPath] {
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

    enum Kind {
        case directory
        case file
    }

    /// What the path names, following symbolic links; nil when nothing (or nothing reachable) is there.
    var kind: Kind? {
        var status = stat()
        guard withCString({ stat($0, &status) }) == 0 else { return nil }
        return status.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR) ? .directory : .file
    }

    /// Whether the path is a directory itself, not a symbolic link to one.
    var isRealDirectory: Bool {
        var status = stat()
        return withCString { lstat($0, &status) } == 0 && status.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR)
    }

    /// The name's extension (after the last dot of the last component), lowercased; empty without one.
    var pathExtension: String {
        let name = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).last ?? []
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex else { return "" }
        return String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
    }

    /// `self/component`.
    func appending(_ component: some Collection<UInt8>) -> InputPath {
        InputPath(bytes: bytes + (bytes.last == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]) + component)
    }

    func withCString<Result>(_ body: (UnsafePointer<CChar>) throws -> Result) rethrows -> Result {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// Runs `body` with a file URL that opens this path. A path that is not UTF-8 is opened here and given as
    /// `/dev/fd/N` for the time of `body`; an error naming that stand-in is given back naming the path.
    func withFileURL<Result>(_ body: (URL) throws -> Result) throws -> Result {
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

    static func < (lhs: InputPath, rhs: InputPath) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
