import Foundation

/// What a user gave as the visual input of one task, before it is read.
public enum VisualSource: Sendable {
    /// A file on disk: an image, or a video.
    case file(URL)
    /// Bytes in memory (an upload, a URL's body, standard input, a tar member): an image, or a video; `name` is how
    /// errors call them.
    case bytes(Data, name: String)
    /// The frames of one video, in order, each an image file or image bytes.
    case frames([VisualSource])

    /// How errors name the source.
    public var name: String {
        switch self {
        case .file(let url): url.path
        case .bytes(_, let name): name
        case .frames(let frames): frames.map(\.name).joined(separator: " ")
        }
    }
}
