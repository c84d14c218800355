import Foundation

/// The repository's demo checkpoint (Models/git-tiny-easyvqa): the fixed companion files of the targets that fuzz
/// one file of a checkpoint folder, and the model the server target reads requests for.
public enum DemoModel {
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models/git-tiny-easyvqa", isDirectory: true)

    /// The bytes of one of its files.
    public static func file(_ name: String) -> Data {
        try! Data(contentsOf: folder.appendingPathComponent(name))
    }
}
