import Foundation
import Image2TextTestSupport

/// Paths of the committed fixtures (`Fixtures/` at the repository root) and the bundled demo model.
enum Fixtures {
    static let root = Repository.root.appendingPathComponent("Fixtures")
    static let images = root.appendingPathComponent("images")
    static let goldens = root.appendingPathComponent("goldens")
    static let vocabulary = root.appendingPathComponent("vocab/bert-base-uncased-vocab.txt")
    static let tinyModel = Repository.demoModel

    static func golden(_ name: String) -> URL { goldens.appendingPathComponent(name) }
    static func image(_ name: String) -> URL { images.appendingPathComponent(name) }

    /// A fresh temporary directory, removed by the caller when it is done.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("image2text-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
