import ArgumentParser
import Foundation
import Image2TextHub

/// A checkpoint as the user names it: the bundled demo model, a local folder, or a hub repository.
enum ModelReference: Equatable {
    case demo
    case folder(URL)
    /// `isDefault`: named by no option or variable.
    case hub(HubRepositoryID, isDefault: Bool)

    /// The model used when none is given: a real captioning checkpoint.
    static let defaultRepository = "microsoft/git-base-coco"

    /// `demo`; else an `ORG/NAME` that is neither an existing local path nor inside an existing local folder `ORG` (so
    /// a mistyped `Fixtures/some-model` is reported as a missing folder, not looked up on the hub); else a folder.
    init(_ string: String) {
        let files = FileManager.default
        if string == "demo" {
            self = .demo
        } else if let repository = HubRepositoryID(string), !files.fileExists(atPath: string),
                  !files.fileExists(atPath: repository.owner) {
            self = .hub(repository, isDefault: false)
        } else {
            self = .folder(URL(fileURLWithPath: string))
        }
    }

    /// The checkpoint folder; a hub repository is resolved through the cache, downloaded first if need be.
    func folder(revision: String) throws -> URL {
        switch self {
        case .demo: return try InstalledData.demoModel()
        case .folder(let url): return url
        case .hub(let repository, let isDefault):
            let client = HubClient(environment: try HubEnvironment())
            guard isDefault else { return try HubModelResolver.snapshot(of: repository, revision: revision, client: client) }
            if (try? client.cachedSnapshot(of: repository, revision: revision)) == nil {
                FileHandle.standardError.write(Data("""
                    image2text: no --model given: using \(repository), a captioning model from the Hugging Face Hub, \
                    downloaded once into \(client.environment.cacheRoot.path). `--model demo` runs the small bundled model offline.

                    """.utf8))
            }
            do {
                return try HubModelResolver.snapshot(of: repository, revision: revision, client: client)
            } catch let error as HubError where error.isConnectionProblem || error.isOfflineMiss {
                throw DefaultModelUnavailable(repository: repository, reason: error)
            }
        }
    }
}

/// The default model is neither cached nor downloadable: what to do instead.
struct DefaultModelUnavailable: Error, CustomStringConvertible {
    let repository: HubRepositoryID
    let reason: HubError

    var description: String {
        """
        no --model given, and the default model \(repository) is not in the huggingface_hub cache and could not be \
        downloaded (\(reason)). Connect to the network (unset HF_HUB_OFFLINE; HF_ENDPOINT names a mirror), or pass \
        --model demo for the small bundled model that works offline, or --model DIR for a checkpoint folder.
        """
    }
}

extension HubError {
    /// Offline mode was on and the cache lacked what was asked for.
    var isOfflineMiss: Bool {
        switch self {
        case .offlineSnapshotMissing, .offlineFileMissing: return true
        default: return false
        }
    }
}
