import Foundation
import Image2TextTestSupport
import Testing

/// File names that are not UTF-8 or hold control characters: read by their bytes, printed escaped on one line.
extension CLIDatasetTests {
    /// Runs `script` with /bin/sh, `$0` being the built binary and `$1` `argument`: names with any byte are built there
    /// with `printf` (Foundation's `Process` passes only UTF-8 arguments).
    func shell(_ script: String, _ argument: String) throws -> CLITests.Result {
        try CLITests().run(["-c", script, CLITests.binary.path, argument], executable: "/bin/sh")
    }

    @Test("a file whose name is not UTF-8 (byte 0xff) is read when named and when found in a directory, and printed as \\xff")
    func nameNotUTF8() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let odd = root.appendingPathComponent("odd")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        let setup = try shell("""
            cp Fixtures/easyvqa/0.png "$1/$(printf 'a\\377b.png')" && printf 'not an image' > "$1/$(printf 'bad\\376.png')"
            """, odd.path)
        try #require(setup.status == 0, "\(setup.stderr)")

        let named = try shell(#"exec "$0" caption "$1/$(printf 'a\377b.png')""#, odd.path)
        #expect(named.status == 0 && named.stdout == "a red triangle\n" && named.stderr.isEmpty, "\(named.stderr)")
        let json = try shell(#"exec "$0" caption --json "$1/$(printf 'a\377b.png')""#, odd.path)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["input"] as? String == odd.path + "/a\\xffb.png" && object?["text"] as? String == "a red triangle")

        let scanned = try shell(#"exec "$0" caption "$1""#, odd.path)
        #expect(scanned.status == 1)
        #expect(scanned.stdout == "\(odd.path)/a\\xffb.png: a red triangle\n")
        #expect(scanned.stderr.hasPrefix("Error: \(odd.path)/bad\\xfe.png: not a JPEG, PNG, GIF, WebP, BMP or TIFF image"), "\(scanned.stderr)")
        #expect(scanned.stderr.split(separator: "\n").count == 1 && !scanned.stderr.contains("/dev/fd"), "\(scanned.stderr)")

        let missing = try shell(#"exec "$0" caption "$1/$(printf 'gone\377.png')""#, odd.path)
        #expect(missing.status == 1 && missing.stderr == "Error: \(odd.path)/gone\\xff.png: file not found\n", "\(missing.stderr)")
        let preprocess = try shell(#"exec "$0" preprocess --model Fixtures/prng-checkpoint --output "$1/a.npy" "$1/$(printf 'a\377b.png')""#, odd.path)
        #expect(preprocess.status == 0 && preprocess.stdout.hasPrefix("shape [3, 224, 224]"), "\(preprocess.stderr)")
    }

    @Test("newlines, tabs and backslashes in names are escaped in text output and errors; JSON keeps the name")
    func controlCharactersEscaped() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        let odd = root.appendingPathComponent("odd")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        let image = Repository.root.appendingPathComponent("Fixtures/easyvqa/0.png")
        for name in ["back\\slash.png", "new\nline.png", "tab\there.png"] {
            try FileManager.default.copyItem(at: image, to: odd.appendingPathComponent(name))
        }
        try Data("not an image".utf8).write(to: odd.appendingPathComponent("broken\r\n.png"))

        let text = try cli.run(["caption", odd.path])
        #expect(text.status == 1)
        #expect(text.stdout == """
            \(odd.path)/back\\\\slash.png: a red triangle
            \(odd.path)/new\\nline.png: a red triangle
            \(odd.path)/tab\\there.png: a red triangle

            """)
        #expect(text.stderr.hasPrefix("Error: \(odd.path)/broken\\r\\n.png: ") && text.stderr.split(separator: "\n").count == 1, "\(text.stderr)")

        let json = try cli.run(["caption", "--json", odd.path])
        let inputs = json.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["input"] as? String
        }
        #expect(inputs == ["back\\slash.png", "new\nline.png", "tab\there.png"].map { odd.path + "/" + $0 })
    }

    @Test("a bad image from standard input or a tar shard is named once in its error line")
    func dataInputNamedOnce() throws {
        let piped = try cli.run(["caption", "-"], standardInput: Data("GIF89a".utf8))
        #expect(piped.status == 1 && piped.stderr == "Error: -: truncated GIF data: the file ends inside the header\n", "\(piped.stderr)")
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("GIF89a".utf8).write(to: root.appendingPathComponent("cut.gif"))
        let shard = try makeShard("shard.tar", members: ["cut.gif"], in: root)
        let member = try cli.run(["caption", shard])
        #expect(member.stderr == "Error: \(shard)#cut.gif: truncated GIF data: the file ends inside the header\n", "\(member.stderr)")
    }
}
