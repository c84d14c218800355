import Foundation
import Image2TextSupport

/// What identifies a checkpoint folder's contents: each file's hash, by file name. A file of the Hugging Face cache
/// is a link to a blob named by its hash (SHA-256 for weights, the git blob hash for small files), which is taken as
/// it is; any other file is hashed here (SHA-256), a few seconds for a large checkpoint.
package enum ModelFingerprint {
    /// The hashes of the regular files directly in `folder`.
    package static func files(of folder: URL) throws -> [String: String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        var hashes: [String: String] = [:]
        for name in names where !name.hasPrefix(".") {
            let file = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            hashes[name] = try blobName(of: file) ?? sha256(of: file)
        }
        return hashes
    }

    /// The revision of a Hugging Face cache snapshot (`…/snapshots/COMMIT`), nil for any other folder.
    package static func revision(of folder: URL) -> String? {
        folder.deletingLastPathComponent().lastPathComponent == "snapshots" ? folder.lastPathComponent : nil
    }

    /// The hash a hub blob is named by, when `file` links to one.
    private static func blobName(of file: URL) throws -> String? {
        guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: file.path) else { return nil }
        let name = (destination as NSString).lastPathComponent
        let isHash = (name.count == 64 || name.count == 40) && name.allSatisfy(\.isHexDigit)
        return isHash ? name : nil
    }

    private static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256.Hasher()
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
