import Foundation
import Image2Text

#if canImport(Glibc)
import Glibc
#endif

/// One model input of the CLI: a file, bytes read from standard input or a tar member, or the frame files of one video.
struct Input {
    enum Source {
        case file(String)
        case bytes(Data)
        case frames([String])
    }

    /// How the input is named in output lines and errors: the path as given, `-`, or `SHARD.tar#MEMBER`.
    let label: String
    let source: Source
}

/// Turns command-line arguments into inputs, in a stable order:
/// - `-`: the bytes of standard input (one image);
/// - a directory: every image and video file below it, recursively, by extension, sorted by path;
/// - a `.tar` file: a WebDataset shard, each image or video member an input (`SHARD.tar#MEMBER`);
/// - a pattern with `*`, `?` or `[` that names no file: its matches (`glob(3)`), sorted, each expanded as above;
/// - anything else: a file, read (or reported missing) when its turn comes.
enum InputExpansion {
    /// File name extensions taken from directories and tar shards.
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "gif", "webp"]
    static let videoExtensions: Set<String> = ["mp4", "m4v", "mov", "mkv", "webm", "avi"]

    /// One argument's expansion, before any file is read.
    enum Entry: Equatable {
        /// `-`: the bytes of standard input.
        case standardInput
        /// A file named directly, found in a directory or matched by a pattern.
        case file(String)
        /// A WebDataset `.tar` shard, whose members are the inputs.
        case tarShard(String)

        /// The path, or `-`.
        var label: String {
            switch self {
            case .standardInput: return "-"
            case .file(let path), .tarShard(let path): return path
            }
        }
    }

    static func inputs(_ arguments: [String], standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> [Input] {
        try inputs(of: entries(arguments), standardInput: standardInput)
    }

    /// What `arguments` expand to, in order, without reading any file (so that whole shards can be assigned first).
    static func entries(_ arguments: [String]) throws -> [Entry] {
        try arguments.flatMap(expand)
    }

    /// The inputs `entries` stand for; a tar shard is read here.
    static func inputs(of entries: [Entry], standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> [Input] {
        try entries.flatMap { entry -> [Input] in
            switch entry {
            case .standardInput: return [Input(label: "-", source: .bytes(standardInput()))]
            case .file(let path): return [Input(label: path, source: .file(path))]
            case .tarShard(let path): return try tarShard(path)
            }
        }
    }

    private static func expand(_ argument: String) throws -> [Entry] {
        if argument == "-" { return [.standardInput] }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return try directory(argument).map(Entry.file) }
            if argument.lowercased().hasSuffix(".tar") { return [.tarShard(argument)] }
            return [.file(argument)]
        }
        if argument.contains(where: { "*?[".contains($0) }) {
            return try glob(argument).flatMap(expand)
        }
        return [.file(argument)]
    }

    private static func isMedia(_ path: String) -> Bool {
        let pathExtension = (path as NSString).pathExtension.lowercased()
        return imageExtensions.contains(pathExtension) || videoExtensions.contains(pathExtension)
    }

    private static func directory(_ path: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw InputError(path: path, message: "cannot list the directory")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        return walker.compactMap { $0 as? String }.filter(isMedia).map { base + $0 }.sorted()
    }

    private static func tarShard(_ path: String) throws -> [Input] {
        try TarArchive(contentsOf: URL(fileURLWithPath: path), label: path).members
            .filter { isMedia($0.name) }
            .map { Input(label: "\(path)#\($0.name)", source: .bytes($0.data)) }
    }

    private static func glob(_ pattern: String) throws -> [String] {
        var matches = glob_t()
        defer { globfree(&matches) }
        let status = Glibc.glob(pattern, 0, nil, &matches)
        if status == GLOB_NOMATCH { throw InputError(path: pattern, message: "no file matches the pattern") }
        guard status == 0 else { throw InputError(path: pattern, message: "cannot expand the pattern") }
        return (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
