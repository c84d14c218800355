import Foundation

/// The repository's files the tests use: fixtures, goldens and the bundled demo model. Shared by every test target.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let demoModel = root.appendingPathComponent("Models/git-tiny-easyvqa")

    /// A file under `Fixtures/`.
    public static func fixture(_ path: String) -> URL { root.appendingPathComponent("Fixtures").appendingPathComponent(path) }

    public static func fixtureData(_ path: String) throws -> Data { try Data(contentsOf: fixture(path)) }
}
