import Foundation
import Image2Text

#if canImport(Glibc)
import Glibc
#endif

/// One model input of the CLI: a file, bytes read from standard input or a tar member, or the frame files of one video.
struct Input {
    enum Source {
        case file(InputPath)
        case bytes(Data)
        case frames([InputPath])
    }

    /// The bytes that name the input: its path as given, `-`, `SHARD.tar#MEMBER`, or the frame paths joined by spaces.
    let name: [UInt8]
    let source: Source

    /// How JSON lines name the input (`input`), and what resuming from an `--output` file matches: the name, or its
    /// escaped form (``PrintableName``) when it is not UTF-8.
    var label: String { String(validating: name, as: UTF8.self) ?? PrintableName.escaped(name) }

    /// How plain-text output and errors name the input, on one line (``PrintableName``).
    var printableLabel: String { PrintableName.escaped(name) }
}

/// Turns command-line arguments into inputs, in a stable order:
/// - `-`: the bytes of standard input (one image);
/// - a directory: every image and video file below it, recursively, by extension, sorted by path;
/// - a path that is not UTF-8 (Linux allows any bytes but `/` and NUL): that file, found by its bytes;
/// - a `.tar` file: a WebDataset shard, each image or video member an input (`SHARD.tar#MEMBER`);
/// - a pattern with `*`, `?` or `[` that names no file: its matches (`glob(3)`), sorted, each expanded as above;
/// - anything else: a file, read (or reported missing) when its turn comes.
enum InputExpansion {
    /// File name extensions taken from directories and tar shards: every image format's, and common video containers'.
    static let imageExtensions = Set(ImageFormat.allCases.flatMap(\.fileExtensions))
    static let videoExtensions: Set<String> = ["mp4", "m4v", "mov", "mkv", "webm", "avi"]

    /// One argument's expansion, before any file is read.
    enum Entry: Equatable {
        /// `-`: the bytes of standard input.
        case standardInput
        /// A file named directly, found in a directory or matched by a pattern.
        case file(InputPath)
        /// A WebDataset `.tar` shard, whose members are the inputs.
        case tarShard(InputPath)

        /// The path, or `-`, as errors print it.
        var label: String {
            switch self {
            case .standardInput: return "-"
            case .file(let path), .tarShard(let path): return path.printable
            }
        }
    }

    static func inputs(_ arguments: [String], standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> [Input] {
        try inputs(of: entries(arguments), standardInput: standardInput)
    }

    /// What command-line `arguments` expand to, in order, without reading any file (so that whole shards can be
    /// assigned first).
    static func entries(_ arguments: [String]) throws -> [Entry] {
        try InputPath.commandLine(arguments).flatMap(expand)
    }

    /// The inputs `entries` stand for; a tar shard is read here.
    static func inputs(of entries: [Entry], standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> [Input] {
        try entries.flatMap { entry -> [Input] in
            switch entry {
            case .standardInput: return [Input(name: Array("-".utf8), source: .bytes(standardInput()))]
            case .file(let path): return [Input(name: path.bytes, source: .file(path))]
            case .tarShard(let path): return try tarShard(path)
            }
        }
    }

    private static func expand(_ argument: InputPath) throws -> [Entry] {
        if argument.bytes == Array("-".utf8) { return [.standardInput] }
        switch argument.kind {
        case .directory: return try directory(argument).map(Entry.file)
        case .file: return [argument.pathExtension == "tar" ? .tarShard(argument) : .file(argument)]
        case nil:
            if argument.bytes.contains(where: { "*?[".utf8.contains($0) }) {
                return try glob(argument).flatMap(expand)
            }
            return [.file(argument)]
        }
    }

    private static func isMedia(_ path: InputPath) -> Bool {
        imageExtensions.contains(path.pathExtension) || videoExtensions.contains(path.pathExtension)
    }

    /// The media files below `root`, recursively (symbolic links to directories are not followed), sorted by their bytes.
    private static func directory(_ root: InputPath) throws -> [InputPath] {
        var found: [InputPath] = []
        func walk(_ directory: InputPath) -> Bool {
            guard let stream = directory.withCString({ opendir($0) }) else { return false }
            defer { closedir(stream) }
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
                if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
                let path = directory.appending(name)
                if path.isRealDirectory {
                    _ = walk(path)
                } else if isMedia(path) {
                    found.append(path)
                }
            }
            return true
        }
        guard walk(root) else { throw InputError(path: root.printable, message: "cannot list the directory") }
        return found.sorted()
    }

    private static func tarShard(_ path: InputPath) throws -> [Input] {
        try path.withFileURL { try TarArchive(contentsOf: $0, label: path.printable) }.members
            .filter { isMedia(InputPath(bytes: $0.name)) }
            .map { Input(name: path.bytes + Array("#".utf8) + $0.name, source: .bytes($0.data)) }
    }

    private static func glob(_ pattern: InputPath) throws -> [InputPath] {
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = pattern.withCString { Glibc.glob($0, 0, nil, &matches) }
        if status == GLOB_NOMATCH { throw InputError(path: pattern.printable, message: "no file matches the pattern") }
        guard status == 0 else { throw InputError(path: pattern.printable, message: "cannot expand the pattern") }
        return (0..<Int(matches.gl_pathc)).compactMap { index in
            matches.gl_pathv[index].map { InputPath(bytes: UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) }
        }.sorted()
    }
}
