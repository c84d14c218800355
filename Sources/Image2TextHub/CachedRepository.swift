import Foundation

/// A model repository in the huggingface_hub cache, as `hf cache scan` reports it.
public struct CachedRepository: Sendable, Equatable {
    public let id: HubRepositoryID
    /// `ROOT/models--ORG--NAME`.
    public let folder: URL
    /// Each cached revision (`refs/…`: branches, tags, `pr/N`) and the commit it resolved to.
    public let refs: [String: String]
    /// The commits with a snapshot folder.
    public let snapshots: [String]
    /// The bytes of its blobs: its size on disk, each file counted once however many snapshots link to it.
    public let sizeOnDisk: Int64
}

extension HubCache {
    /// The model repositories in the cache, by id. Folders that are not `models--ORG--NAME` (datasets, spaces, lock
    /// files) are left out.
    public func repositories() throws -> [CachedRepository] {
        let files = FileManager.default
        guard files.fileExists(atPath: root.path) else { return [] }
        return try files.contentsOfDirectory(atPath: root.path).sorted().compactMap { name in
            let parts = name.components(separatedBy: "--")
            guard parts.count == 3, parts[0] == "models", let id = HubRepositoryID("\(parts[1])/\(parts[2])") else { return nil }
            let folder = repositoryFolder(id)
            let refsFolder = folder.appendingPathComponent("refs")
            var refs: [String: String] = [:]
            for path in (try? files.subpathsOfDirectory(atPath: refsFolder.path)) ?? [] {
                guard let commit = try? String(contentsOf: refsFolder.appendingPathComponent(path), encoding: .utf8) else { continue }
                refs[path] = commit.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let snapshots = ((try? files.contentsOfDirectory(atPath: folder.appendingPathComponent("snapshots").path)) ?? []).sorted()
            let blobs = folder.appendingPathComponent("blobs")
            let size = ((try? files.contentsOfDirectory(atPath: blobs.path)) ?? []).reduce(Int64(0)) { total, blob in
                let attributes = try? files.attributesOfItem(atPath: blobs.appendingPathComponent(blob).path)
                return total + ((attributes?[.size] as? NSNumber)?.int64Value ?? 0)
            }
            return CachedRepository(id: id, folder: folder, refs: refs, snapshots: snapshots, sizeOnDisk: size)
        }
    }
}
