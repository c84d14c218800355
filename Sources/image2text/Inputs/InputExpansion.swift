import Foundation

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

    static func inputs(_ arguments: [String], standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) throws -> [Input] {
        try arguments.flatMap { try expand($0, standardInput: standardInput) }
    }

    private static func expand(_ argument: String, standardInput: () -> Data) throws -> [Input] {
        if argument == "-" { return [Input(label: "-", source: .bytes(standardInput()))] }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return try directory(argument) }
            if argument.lowercased().hasSuffix(".tar") { return try tarShard(argument) }
            return [Input(label: argument, source: .file(argument))]
        }
        if argument.contains(where: { "*?[".contains($0) }) {
            return try glob(argument).flatMap { try expand($0, standardInput: standardInput) }
        }
        return [Input(label: argument, source: .file(argument))]
    }

    private static func isMedia(_ path: String) -> Bool {
        let pathExtension = (path as NSString).pathExtension.lowercased()
        return imageExtensions.contains(pathExtension) || videoExtensions.contains(pathExtension)
    }

    private static func directory(_ path: String) throws -> [Input] {
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw InputError(path: path, message: "cannot list the directory")
        }
        let base = path.hasSuffix("/") ? path : path + "/"
        let files = walker.compactMap { $0 as? String }.filter(isMedia).map { base + $0 }.sorted()
        return files.map { Input(label: $0, source: .file($0)) }
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
