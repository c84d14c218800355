import Foundation
import Image2TextTestSupport
import Testing

/// `install.sh` lays out a prefix from which the binary runs anywhere, finding its demo model and offering completions.
extension CLITests {
    @Test("install.sh puts the binary, the demo model, the manual page and shell completions under the prefix; the binary runs from anywhere")
    func installIntoPrefix() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("cli-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let install = try run([Repository.root.appendingPathComponent("install.sh").path, "--prefix", prefix.path,
                               "--binary", Self.binary.path], executable: "/bin/bash")
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains("installed image2text"), "\(install.stdout)")
        for file in ["bin/image2text", "share/image2text/Models/git-tiny-easyvqa/config.json", "share/man/man1/image2text.1",
                     "share/bash-completion/completions/image2text", "share/zsh/site-functions/_image2text",
                     "share/fish/vendor_completions.d/image2text.fish"] {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(file).path), "\(file)")
        }
        let completion = try String(contentsOf: prefix.appendingPathComponent("share/bash-completion/completions/image2text"), encoding: .utf8)
        #expect(completion.contains("caption") && completion.contains("--model"))
        let manual = try String(contentsOf: prefix.appendingPathComponent("share/man/man1/image2text.1"), encoding: .utf8)
        #expect(manual.contains(".Dt IMAGE2TEXT 1") && manual.contains("caption"), "\(manual.prefix(300))")
        let image = Repository.fixture("easyvqa/0.png").path
        let caption = try run(["-c", "cd / && image2text caption --model demo \(image)"],
                              environment: ["PATH": prefix.appendingPathComponent("bin").path + ":/usr/bin:/bin"], executable: "/bin/sh")
        #expect(caption.status == 0 && caption.stdout == "a red triangle\n", "\(caption.stderr)")
    }
}
