import Foundation
import Testing
@testable import Image2TextDatasets

/// Inputs found and keyed: keys relative to a root that does not depend on how the paths are spelled.
/// Serialized: the tests move the process's working directory (to spell relative paths), which is shared by all threads.
@Suite(.serialized) struct InputDiscoveryTests {
    /// A temporary folder with `photos/a.png`, `photos/b/c.jpg`, `shards/000.tar`, `shards/001.tar.gz`, `notes.txt`
    /// and an empty folder `empty`; resolved, as realpath gives it.
    static func makeTree() throws -> URL {
        let files = FileManager.default
        let root = files.temporaryDirectory.appendingPathComponent("image2text-discovery-\(UUID().uuidString)").resolvingSymlinksInPath()
        for folder in ["photos/b", "shards", "empty"] {
            try files.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in ["photos/a.png", "photos/b/c.jpg", "shards/000.tar", "shards/001.tar.gz", "notes.txt"] {
            try Data([0]).write(to: root.appendingPathComponent(file))
        }
        return root
    }

    func discover(_ arguments: [String], in folder: URL) throws -> (root: String, keys: [String]) {
        let saved = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(folder.path)
        defer { FileManager.default.changeCurrentDirectoryPath(saved) }
        let found = try InputDiscovery.discover(arguments.map(InputPath.init))
        return (String(decoding: found.root.path.bytes, as: UTF8.self), found.entries.map(\.key))
    }

    @Test("the same folder spelled ./photos, photos/, or absolutely: the same root and keys")
    func spellings() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let expected = (tree.path + "/photos", ["a.png", "b/c.jpg"])
        for spelling in ["photos", "./photos", "photos/", tree.path + "/photos", "shards/../photos"] {
            let found = try discover([spelling], in: tree)
            #expect(found.root == expected.0 && found.keys == expected.1, "\(spelling)")
        }
    }

    @Test("several arguments are keyed from their common folder; a file from its own; the same file twice is one input")
    func commonRoot() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let found = try discover(["photos/b/c.jpg", "shards", "./photos/b/c.jpg"], in: tree)
        #expect(found.root == tree.path && found.keys == ["photos/b/c.jpg", "shards/000.tar", "shards/001.tar.gz"])
        #expect(try discover(["photos/a.png"], in: tree).keys == ["a.png"])
    }

    @Test("a folder of shards finds .tar and .tar.gz; braces and patterns are keyed from their fixed folder; an empty folder is an error")
    func shardsBracesPatterns() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(at: tree) }
        let saved = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(tree.path)
        defer { FileManager.default.changeCurrentDirectoryPath(saved) }
        let folder = try InputDiscovery.discover([InputPath("shards")]).entries
        #expect(folder.map(\.kind) == [.shard(InputPath("shards/000.tar"), .tar), .shard(InputPath("shards/001.tar.gz"), .gzippedTar)])
        let braces = try discover(["shards/{000..001}.tar"], in: tree)
        #expect(braces.root == tree.path + "/shards" && braces.keys == ["000.tar", "001.tar"])
        let pattern = try discover(["shards/*.tar*"], in: tree)
        #expect(pattern.root == tree.path + "/shards" && pattern.keys == ["000.tar", "001.tar.gz"])
        #expect(throws: InputError(path: "empty", message: "no image, video or WebDataset shard (.tar, .tar.gz) in the directory")) {
            try InputDiscovery.discover([InputPath("empty")])
        }
    }

    @Test("--files-from lines: one path each, blank lines and carriage returns dropped")
    func listFile() {
        #expect(InputListFile.paths(in: Data("a.png\r\n\nb/c.jpg\n".utf8)) == [InputPath("a.png"), InputPath("b/c.jpg")])
    }
}
