import CZlib

/// What a gzip file (RFC 1952; several members one after another, as `cat a.gz b.gz` makes) inflates to, read as it
/// is needed with the system's zlib: at most one compressed chunk and the bytes asked for are held at a time, however
/// large the archive is.
package struct GzipByteStream<Compressed: ByteStream>: ByteStream {
    private var compressed: Compressed
    private let inflater: Inflater
    private let label: String
    /// Compressed bytes read but not yet inflated.
    private var input: [UInt8] = []
    private var inputPosition = 0
    /// Compressed bytes consumed so far, for error messages.
    private var compressedOffset = 0
    private var atEnd = false

    /// How much compressed data is read at a time.
    static var chunkSize: Int { 1 << 16 }

    package init(_ compressed: Compressed, label: String) throws {
        self.compressed = compressed
        self.label = label
        inflater = try Inflater(label: label)
    }

    package mutating func read(_ count: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count && !atEnd {
            if inputPosition == input.count {
                input = try compressed.read(Self.chunkSize)
                inputPosition = 0
                if input.isEmpty {
                    guard inflater.isBetweenMembers else {
                        throw ArchiveError.damagedGzip(source: label, offset: compressedOffset, reason: "the file ends inside compressed data")
                    }
                    atEnd = true
                    break
                }
            }
            let (used, produced, memberEnded) = try inflater.inflate(
                input[inputPosition...], into: &output, at: filled, offset: compressedOffset, label: label)
            inputPosition += used
            compressedOffset += used
            filled += produced
            if memberEnded { inflater.startNextMember() }
        }
        output.removeLast(count - filled)
        return output
    }

    /// One zlib inflate stream, reset for each gzip member.
    private final class Inflater {
        private var stream = z_stream()
        /// Whether the last member ended and no byte of another has been read.
        private(set) var isBetweenMembers = false

        init(label: String) throws {
            // 15 + 16: a gzip wrapper (not zlib's), with the largest window.
            let status = inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw ArchiveError.damagedGzip(source: label, offset: 0, reason: "zlib cannot start (\(status))") }
        }

        deinit { inflateEnd(&stream) }

        func startNextMember() {
            inflateReset(&stream)
            isBetweenMembers = true
        }

        /// Inflates from `input` into `output[start...]`: the compressed bytes used, the bytes produced, and whether a
        /// member ended.
        func inflate(_ input: ArraySlice<UInt8>, into output: inout [UInt8], at start: Int, offset: Int, label: String)
            throws -> (used: Int, produced: Int, memberEnded: Bool) {
            if !input.isEmpty { isBetweenMembers = false }
            return try input.withUnsafeBytes { source in
                try output.withUnsafeMutableBytes { target in
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress!.assumingMemoryBound(to: Bytef.self))
                    stream.avail_in = uInt(source.count)
                    stream.next_out = target.baseAddress!.assumingMemoryBound(to: Bytef.self) + start
                    stream.avail_out = uInt(target.count - start)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    let used = source.count - Int(stream.avail_in)
                    let produced = target.count - start - Int(stream.avail_out)
                    switch status {
                    case Z_OK, Z_BUF_ERROR: return (used, produced, false)
                    case Z_STREAM_END: return (used, produced, true)
                    default:
                        let reason = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                        throw ArchiveError.damagedGzip(source: label, offset: offset + used, reason: reason)
                    }
                }
            }
        }
    }
}
