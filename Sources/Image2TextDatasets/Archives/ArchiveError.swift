/// An input archive (a WebDataset `.tar` or `.tar.gz` shard) that cannot be read. Every case names the archive.
package enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// A header or member that cannot be read; `offset` is the byte of the (uncompressed) tar stream where its header
    /// starts.
    case damagedTar(source: String, offset: Int, reason: String)
    /// Compressed data zlib refuses; `offset` is the byte of the compressed file it had read up to.
    case damagedGzip(source: String, offset: Int, reason: String)
    /// A member larger than a shard member may be (``TarReader/memberByteLimit``).
    case memberTooLarge(source: String, member: String, size: Int, limit: Int)
    /// The file cannot be opened or read.
    case unreadable(source: String, reason: String)

    package var description: String {
        switch self {
        case .damagedTar(let source, let offset, let reason): "\(source): damaged tar archive at byte \(offset): \(reason)"
        case .damagedGzip(let source, let offset, let reason): "\(source): damaged gzip data at byte \(offset): \(reason)"
        case .memberTooLarge(let source, let member, let size, let limit):
            "\(source): member \(member) holds \(size) bytes, more than the \(limit) a shard member may hold"
        case .unreadable(let source, let reason): "\(source): cannot read the archive: \(reason)"
        }
    }
}
