import Foundation
import Image2TextTestSupport
import Image2TextHub
import Testing

/// `.no_exist/COMMIT/FILE` markers, written and read as huggingface_hub does, and the token file.
extension HubClientTests {
    @Test("Optional files the revision lacks are marked in .no_exist/COMMIT/ (left out of the listing, or answered 404); offline, a snapshot lacking only marked files is complete")
    func absentFilesAreMarked() async throws {
        var files = try HubFixture.modelFiles()
        files["generation_config.json"] = nil
        let repository = MockHub.Repository(id: "image2text/no-generation-config", commit: HubFixture.commit, files: files,
                                            lfsFiles: ["model.safetensors"], listedButMissing: ["generation_config.json"])
        let id = try #require(HubRepositoryID(repository.id))
        try await withHub([repository]) { hub, cache in
            let folder = try await HubFixture.client(cache: cache, hub: hub).snapshot(of: id)
            let markers = HubCache(root: cache).repositoryFolder(id).appendingPathComponent(".no_exist/\(HubFixture.commit)")
            // The demo model has no processor_config.json or added_tokens.json; generation_config.json is listed but 404.
            #expect(try fileManager.contentsOfDirectory(atPath: markers.path).sorted()
                == ["added_tokens.json", "generation_config.json", "processor_config.json"])
            #expect(try Data(contentsOf: markers.appendingPathComponent("generation_config.json")).isEmpty)
            #expect(hub.requests.contains { $0.method == "HEAD" && $0.path.hasSuffix("/resolve/\(HubFixture.commit)/generation_config.json") })
            #expect(!fileManager.fileExists(atPath: folder.appendingPathComponent("generation_config.json").path))

            let offline = try HubFixture.client(cache: cache, hub: hub, extra: ["HF_HUB_OFFLINE": "1"])
            #expect(try offline.cachedSnapshot(of: id) == folder)
            // Without its marker, the missing file may simply not have been downloaded: the snapshot is incomplete.
            try fileManager.removeItem(at: markers.appendingPathComponent("generation_config.json"))
            #expect(throws: HubError.offlineFileMissing(repository: id.description, revision: "main",
                                                        file: "generation_config.json", snapshot: folder)) {
                try offline.cachedSnapshot(of: id)
            }
        }
    }

    @Test("A cache written by Python: its .no_exist markers count; with none at all (snapshot_download) the snapshot is taken as it is")
    func markersWrittenByPython() throws {
        let cache = try HubFixture.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        let hubCache = HubCache(root: cache), id = HubFixture.repositoryID, commit = HubFixture.commit
        let files = try HubFixture.modelFiles().filter { $0.key != "generation_config.json" && $0.key != "README.md" }
        for (index, (name, data)) in files.sorted(by: { $0.key < $1.key }).enumerated() {
            let etag = String(format: "%040x", index + 1)
            try fileManager.createDirectory(at: hubCache.blob(id, etag: etag).deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: hubCache.blob(id, etag: etag))
            try hubCache.link(id, commit: commit, file: name, etag: etag)
        }
        try hubCache.writeRef(id, revision: "main", commit: commit)
        let client = try HubFixture.client(cache: cache, hub: nil, extra: ["HF_HUB_OFFLINE": "1"])
        let snapshot = hubCache.snapshotFolder(id, commit: commit)
        #expect(try client.cachedSnapshot(of: id) == snapshot)

        // transformers' hf_hub_download touches a marker for each optional file the hub answered 404 for.
        let markers = hubCache.repositoryFolder(id).appendingPathComponent(".no_exist/\(commit)")
        try fileManager.createDirectory(at: markers, withIntermediateDirectories: true)
        for file in ["generation_config.json", "processor_config.json"] {
            #expect(fileManager.createFile(atPath: markers.appendingPathComponent(file).path, contents: nil))
        }
        #expect(throws: HubError.offlineFileMissing(repository: id.description, revision: "main", file: "added_tokens.json", snapshot: snapshot)) {
            try client.cachedSnapshot(of: id)
        }
        #expect(fileManager.createFile(atPath: markers.appendingPathComponent("added_tokens.json").path, contents: nil))
        #expect(try client.cachedSnapshot(of: id) == snapshot)
    }

    @Test("Without HF_TOKEN the token comes from HF_HOME/token: sent to the hub, never to the CDN")
    func tokenFromFile() async throws {
        try await withHub { hub, cache in
            let home = cache.appendingPathComponent("hf-home")
            try fileManager.createDirectory(at: home, withIntermediateDirectories: true)
            try Data("\(HubFixture.token)\n".utf8).write(to: home.appendingPathComponent("token"))
            _ = try await HubFixture.client(cache: cache, hub: hub, extra: ["HF_HOME": home.path]).snapshot(of: HubFixture.gatedID)
            let cdn = hub.requests.filter { $0.path.hasPrefix("/blobs-cdn/") }
            let onHub = hub.requests.filter { !$0.path.hasPrefix("/blobs-cdn/") }
            #expect(!onHub.isEmpty && onHub.allSatisfy { $0.authorization == "Bearer \(HubFixture.token)" })
            #expect(!cdn.isEmpty && cdn.allSatisfy { $0.authorization == nil })
        }
    }
}
