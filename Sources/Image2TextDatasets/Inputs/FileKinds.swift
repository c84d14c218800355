import Image2Text

/// What a file is taken for by its name, where names decide (directory listings, shard members): an image or video
/// input, or a WebDataset shard.
package enum FileKinds {
    /// Every image format's extensions, and common video containers'.
    package static let mediaExtensions = Set(ImageFormat.allCases.flatMap(\.fileExtensions))
        .union(["mp4", "m4v", "mov", "mkv", "webm", "avi"])

    package enum Shard: Sendable {
        /// `.tar`
        case tar
        /// `.tar.gz` or `.tgz`: inflated as it is read.
        case gzippedTar
    }

    /// The shard kind a file name ends with (case-insensitive), or nil.
    package static func shard(_ path: InputPath) -> Shard? {
        let name = String(decoding: path.lastComponent, as: UTF8.self).lowercased()
        if name.hasSuffix(".tar") { return .tar }
        if name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") { return .gzippedTar }
        return nil
    }

    /// Whether `path` names an image or video by its extension.
    package static func isMedia(_ path: InputPath) -> Bool {
        mediaExtensions.contains(path.pathExtension)
    }
}
