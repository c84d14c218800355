/// An input archive (a WebDataset `.tar` shard) that cannot be read. Every case names the archive.
package enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// A header or member that cannot be read; `offset` is the byte where its header starts.
    case damagedTar(source: String, offset: Int, reason: String)

    package var description: String {
        switch self {
        case .damagedTar(let source, let offset, let reason): "\(source): damaged tar archive at byte \(offset): \(reason)"
        }
    }
}
