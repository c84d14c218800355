import Foundation
import Image2TextTestSupport
import Testing

/// `--model ORG/NAME` and `--revision` against a huggingface_hub cache laid out as Python writes it, offline
/// (`HF_HUB_OFFLINE=1`: no network is touched). Downloads are tested in Image2TextHubTests against a mock hub.
extension CLITests {
    /// A cache holding the demo model as `models--image2text--git-tiny-easyvqa` (refs/main → snapshot of links to blobs).
    func makeHubCache() throws -> URL {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("cli-hub-\(UUID().uuidString)")
        let repository = cache.appendingPathComponent("models--image2text--git-tiny-easyvqa")
        let commit = "89abcdef0123456789abcdef0123456789abcdef"
        let snapshot = repository.appendingPathComponent("snapshots/\(commit)")
        let blobs = repository.appendingPathComponent("blobs")
        for folder in [snapshot, blobs, repository.appendingPathComponent("refs")] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data(commit.utf8).write(to: repository.appendingPathComponent("refs/main"))
        let model = Repository.root.appendingPathComponent("Models/git-tiny-easyvqa")
        for (index, file) in try FileManager.default.contentsOfDirectory(atPath: model.path).enumerated() {
            let etag = String(format: "%040x", index + 1)
            try FileManager.default.copyItem(at: model.appendingPathComponent(file), to: blobs.appendingPathComponent(etag))
            try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(file).path,
                                                       withDestinationPath: "../../blobs/\(etag)")
        }
        return cache
    }

    @Test("--model ORG/NAME captions from a cached snapshot offline; without one it says nothing is cached")
    func hubModelOffline() throws {
        let cache = try makeHubCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"]
        let result = try run(["caption", "--model", "image2text/git-tiny-easyvqa", "Fixtures/easyvqa/0.png"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "a red triangle\n")
        #expect(result.stderr.isEmpty)

        let missing = try run(["caption", "--model", "image2text/absent", "--revision", "v1", "Fixtures/easyvqa/0.png"],
                              environment: environment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("image2text/absent: HF_HUB_OFFLINE is set"), "\(missing.stderr)")
    }

    @Test("--revision needs a hub repository")
    func revisionNeedsRepository() throws {
        let result = try run(["caption", "--model", "Models/git-tiny-easyvqa", "--revision", "main", "Fixtures/easyvqa/0.png"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--revision needs --model ORG/NAME"))
    }
}
