import Foundation
import Image2Text
import Image2TextHub
import Image2TextSupport
import Image2TextTestSupport

/// The bundled demo model served as hub repositories, and a fresh cache folder per test.
enum HubFixture {
    static let modelFolder = Repository.demoModel
    static let commit = "0123456789abcdef0123456789abcdef01234567"
    static let repositoryID = HubRepositoryID("image2text/git-tiny-easyvqa")!
    static let gatedID = HubRepositoryID("image2text/gated-tiny")!
    static let token = "hf_test_token"

    /// The demo model's files by name.
    static func modelFiles() throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: modelFolder.path)
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: modelFolder.appendingPathComponent($0))) })
    }

    /// The demo model as a public repository and as a gated one; `model.safetensors` is an LFS file.
    static func repositories() throws -> [MockHub.Repository] {
        let files = try modelFiles()
        return [
            MockHub.Repository(id: repositoryID.description, commit: commit, files: files, lfsFiles: ["model.safetensors"]),
            MockHub.Repository(id: gatedID.description, commit: commit, files: files, lfsFiles: ["model.safetensors"], token: token),
        ]
    }

    /// The sha256 of the demo model's weights: their blob name.
    static func weightsSHA256() throws -> String {
        SHA256.hexDigest(try Data(contentsOf: modelFolder.appendingPathComponent("model.safetensors")))
    }

    /// A new empty folder under the temporary directory, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hub-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A client whose cache is `cache` and whose hub is `hub`, through explicit environment variables. `HOME` is the
    /// cache folder, so that no token file of the machine's user is read.
    static func client(cache: URL, hub: MockHub?, extra: [String: String] = [:]) throws -> HubClient {
        var environment = ["HF_HUB_CACHE": cache.path, "HF_ENDPOINT": hub?.endpoint ?? "http://127.0.0.1:9", "HOME": cache.path]
        environment.merge(extra) { $1 }
        return HubClient(environment: try HubEnvironment(environment: environment))
    }
}
