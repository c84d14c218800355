import ArgumentParser
import Foundation
import Image2TextSupport

/// The data that ships with the binary (the demo model), found from the real executable, symbolic links resolved, so
/// that it is found however the binary is run (by path, through PATH, through a link):
/// - installed by `install.sh`: `PREFIX/bin/image2text` and `PREFIX/share/image2text/`;
/// - in the repository: `REPO/.build/…/image2text` and the repository's own folders.
enum InstalledData {
    static let demoModelFolder = "Models/git-tiny-easyvqa"

    /// The folders searched for the data, in order.
    static func roots() -> [URL] {
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return [] }
        let folder = executable.deletingLastPathComponent()
        var roots = [folder.deletingLastPathComponent().appendingPathComponent("share/image2text")]
        var ancestor = folder
        for _ in 0..<4 {
            roots.append(ancestor)
            ancestor.deleteLastPathComponent()
        }
        return roots
    }

    /// The bundled demo model's folder.
    static func demoModel() throws -> URL {
        let candidates = roots().map { $0.appendingPathComponent(demoModelFolder) }
        if let found = candidates.first(where: {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(CheckpointFileNames.configuration).path)
        }) {
            return found
        }
        throw ValidationError("""
            the bundled demo model is not beside this binary (looked for \(demoModelFolder) in \
            \(roots().map(\.path).joined(separator: ", "))): install with install.sh, or pass --model ORG/NAME or DIR
            """)
    }
}
