import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Bytes read front to back, a bounded piece at a time: a file, or what a gzip stream inflates to.
package protocol ByteStream {
    /// Up to `count` more bytes; fewer only at the end, none after it.
    mutating func read(_ count: Int) throws -> [UInt8]
}

/// Bytes already in memory (tests and fuzz targets).
package struct MemoryByteStream: ByteStream {
    private let bytes: [UInt8]
    private var position = 0

    package init(_ bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
    }

    package mutating func read(_ count: Int) throws -> [UInt8] {
        let end = min(bytes.count, position + count)
        defer { position = end }
        return Array(bytes[position..<end])
    }
}

/// A file read with `read(2)`, opened by the bytes of its path; closed when the stream is dropped.
package final class FileByteStream: ByteStream {
    private let descriptor: Int32
    private let label: String

    /// Opens `path`; an ``ArchiveError/unreadable(source:reason:)`` naming `label` when it cannot be.
    package init(_ path: InputPath, label: String) throws {
        descriptor = path.withCString { open($0, O_RDONLY) }
        self.label = label
        guard descriptor >= 0 else {
            throw ArchiveError.unreadable(source: label, reason: errno == ENOENT ? "file not found" : String(cString: strerror(errno)))
        }
    }

    deinit { close(descriptor) }

    package func read(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, count - filled) }
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.unreadable(source: label, reason: String(cString: strerror(errno)))
            }
            filled += got
        }
        bytes.removeLast(count - filled)
        return bytes
    }
}
