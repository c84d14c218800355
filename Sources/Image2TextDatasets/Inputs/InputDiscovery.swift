import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Turns command-line arguments (and `--files-from` lines) into a run's inputs, keyed and in a stable order, without
/// reading any image or shard:
/// - `-`: the bytes of standard input (one image);
/// - a directory: every image, video and WebDataset shard (`.tar`, `.tar.gz`, `.tgz`) below it, recursively, by
///   extension, sorted by path; a directory with none of them is an error;
/// - a file named `.tar`, `.tar.gz` or `.tgz`: a WebDataset shard, whose samples are the inputs;
/// - a path that is not UTF-8 (Linux allows any bytes but `/` and NUL): that file, found by its bytes;
/// - a name that is no file and holds `{`: a brace expression (``BraceExpression``), each name expanded as here;
/// - a name that is no file and holds `*`, `?` or `[`: its matches (`glob(3)`), sorted, each expanded as here;
/// - anything else: a file, read (or reported missing) when its turn comes.
/// The same file named twice (`a.png ./a.png`) is one input.
package enum InputDiscovery {
    /// The inputs of `arguments` and `listed` paths (taken literally: no pattern or braces), and the root their keys
    /// are relative to.
    package static func discover(_ arguments: [InputPath], listed: [InputPath] = []) throws -> (root: InputRoot, entries: [InputEntry]) {
        var found: [(kind: InputEntry.Kind, canonical: InputPath?)] = []
        var bases: [InputPath] = []
        var folders = ResolvedFolders()
        for argument in arguments {
            try expand(argument, patterns: true, into: &found, bases: &bases, folders: &folders)
        }
        for path in listed {
            try expand(path, patterns: false, into: &found, bases: &bases, folders: &folders)
        }
        let root = InputRoot(bases: bases)
        var seen = Set<String>()
        let entries = found.compactMap { item -> InputEntry? in
            let key = item.canonical.map(root.key) ?? "-"
            return seen.insert(key).inserted ? InputEntry(kind: item.kind, key: key) : nil
        }
        return (root, entries)
    }

    /// Resolved folders by their bytes as named: a folder holding many matches is resolved once.
    private struct ResolvedFolders {
        var cache: [InputPath: InputPath] = [:]

        mutating func canonicalFile(_ path: InputPath) -> InputPath {
            if path.kind == .directory { return path.resolved }
            let folder = path.folder
            if let resolved = cache[folder] { return resolved.appending(path.lastComponent) }
            let resolved = folder.resolved
            cache[folder] = resolved
            return resolved.appending(path.lastComponent)
        }
    }

    private static func expand(_ argument: InputPath, patterns: Bool, into found: inout [(kind: InputEntry.Kind, canonical: InputPath?)],
                               bases: inout [InputPath], folders: inout ResolvedFolders) throws {
        if argument.bytes == Array("-".utf8) {
            found.append((.standardInput, nil))
            return
        }
        switch argument.kind {
        case .directory:
            let resolved = argument.resolved
            bases.append(resolved)
            let files = try directory(argument)
            if files.isEmpty {
                throw InputError(path: argument.printable, message: "no image, video or WebDataset shard (.tar, .tar.gz) in the directory")
            }
            for file in files {
                let canonical = resolved.appending(file.bytes.dropFirst(argument.bytes.count).drop { $0 == UInt8(ascii: "/") })
                found.append((kind(of: file), canonical))
            }
        case .file:
            let canonical = folders.canonicalFile(argument)
            bases.append(canonical.folder)
            found.append((kind(of: argument), canonical))
        case nil:
            if patterns && BraceExpression.isExpression(argument.bytes) {
                bases.append(InputPath(bytes: BraceExpression.fixedPrefix(argument.bytes)).baseFolder)
                for name in try BraceExpression.expand(argument.bytes) {
                    try expand(InputPath(bytes: name), patterns: true, into: &found, bases: &bases, folders: &folders)
                }
                return
            }
            if patterns && argument.bytes.contains(where: { "*?[".utf8.contains($0) }) {
                bases.append(InputPath(bytes: argument.bytes.prefix { !"*?[".utf8.contains($0) }).baseFolder)
                for match in try glob(argument) {
                    try expand(match, patterns: false, into: &found, bases: &bases, folders: &folders)
                }
                return
            }
            let canonical = folders.canonicalFile(argument)
            bases.append(canonical.folder)
            found.append((kind(of: argument), canonical))
        }
    }

    private static func kind(of path: InputPath) -> InputEntry.Kind {
        FileKinds.shard(path).map { .shard(path, $0) } ?? .file(path)
    }

    /// The media files and shards below `root`, recursively (symbolic links to directories are not followed), sorted by
    /// their bytes.
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
                } else if FileKinds.isMedia(path) || FileKinds.shard(path) != nil {
                    found.append(path)
                }
            }
            return true
        }
        guard walk(root) else { throw InputError(path: root.printable, message: "cannot list the directory") }
        return found.sorted()
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

extension InputPath {
    /// The folder a pattern's fixed start names, resolved: `shards/part-` → `shards`, `shards/` → `shards`.
    fileprivate var baseFolder: InputPath {
        bytes.last == UInt8(ascii: "/") ? resolved : bytes.isEmpty ? InputPath(".").resolved : folder.resolved
    }
}
