import CTIFF
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TIFF file opened by libtiff at its first image file directory, from a private copy of the bytes that libtiff
/// maps: it reads them in place and checks every offset against their size. libtiff's messages go to this file's
/// own handlers, never to standard error; the last error names what failed.
final class TIFFFile {
    /// The largest single allocation libtiff may make. With the bytes mapped it allocates only a directory's arrays
    /// and codec state (the pixel buffers are the decoder's), so a larger request comes from a hostile count.
    static let maximumLibraryAllocation = 64 << 20

    let source: String
    private let bytes: Bytes
    private let messages = Messages()
    private let handle: OpaquePointer

    init(_ data: Data, source: String) throws {
        self.source = source
        bytes = Bytes(data)
        guard let options = TIFFOpenOptionsAlloc() else {
            throw ImageError.corruptData(source: source, format: .tiff, reason: "libtiff could not allocate its options")
        }
        defer { TIFFOpenOptionsFree(options) }
        TIFFOpenOptionsSetMaxSingleMemAlloc(options, tmsize_t(Self.maximumLibraryAllocation))
        let messagesPointer = Unmanaged.passUnretained(messages).toOpaque()
        TIFFOpenOptionsSetErrorHandlerExtR(options, Self.recordError, messagesPointer)
        TIFFOpenOptionsSetWarningHandlerExtR(options, Self.recordWarning, messagesPointer)
        let opened = TIFFClientOpenExt(
            source, "r", Unmanaged.passUnretained(bytes).toOpaque(), Bytes.read, Bytes.write, Bytes.seek, Bytes.close,
            Bytes.size, Bytes.map, Bytes.unmap, options)
        guard let opened else { throw ImageError.corruptData(source: source, format: .tiff, reason: messages.lastError) }
        handle = opened
    }

    deinit {
        TIFFClose(handle)
    }

    // MARK: - Fields

    func uint16(_ tag: Int32, defaulted: Bool = false) -> UInt16? {
        var value: UInt16 = 0
        return field(tag, defaulted: defaulted, &value) ? value : nil
    }

    func uint32(_ tag: Int32) -> UInt32? {
        var value: UInt32 = 0
        return field(tag, defaulted: false, &value) ? value : nil
    }

    /// The ExtraSamples values; empty when the directory has none, or when libtiff made them up (as it does for samples
    /// past the photometric interpretation's colours), since Pillow reads the tag as the file gives it.
    var extraSamples: [Int] {
        var count: UInt16 = 0
        var values: UnsafeMutablePointer<UInt16>?
        let found = withUnsafeMutablePointer(to: &count) { countPointer in
            withUnsafeMutablePointer(to: &values) { valuesPointer in
                withVaList([countPointer, valuesPointer]) { TIFFVGetField(handle, UInt32(TIFFTAG_EXTRASAMPLES), $0) }
            }
        }
        guard found == 1, !messages.extraSamplesInferred, let values else { return [] }
        return (0..<Int(count)).map { Int(values[$0]) }
    }

    /// The colour map's red, green and blue arrays of `entries` 16-bit values each, or nil without one.
    func colorMap(entries: Int) -> [[UInt16]]? {
        var channels: [UnsafeMutablePointer<UInt16>?] = [nil, nil, nil]
        let found = channels.withUnsafeMutableBufferPointer { pointers in
            withVaList([pointers.baseAddress!, pointers.baseAddress! + 1, pointers.baseAddress! + 2]) {
                TIFFVGetField(handle, UInt32(TIFFTAG_COLORMAP), $0)
            }
        }
        guard found == 1 else { return nil }
        return channels.compactMap { channel in channel.map { Array(UnsafeBufferPointer(start: $0, count: entries)) } }
    }

    var isBigEndian: Bool { TIFFIsBigEndian(handle) != 0 }
    var isTiled: Bool { TIFFIsTiled(handle) != 0 }
    /// Bytes of one decoded row of a strip, and of a whole strip (`TIFFStripSize`); 0 when libtiff cannot compute them.
    var scanlineSize: Int { Int(TIFFScanlineSize(handle)) }
    var stripSize: Int { Int(TIFFStripSize(handle)) }
    /// Bytes of one decoded row of a tile, and of a whole tile.
    var tileRowSize: Int { Int(TIFFTileRowSize(handle)) }
    var tileSize: Int { Int(TIFFTileSize(handle)) }

    // MARK: - Pixel data

    /// Decodes the strip holding `row` into `buffer`.
    func readStrip(containing row: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        let strip = TIFFComputeStrip(handle, UInt32(row), 0)
        guard TIFFReadEncodedStrip(handle, strip, buffer.baseAddress, tmsize_t(buffer.count)) != -1 else {
            throw failure("cannot decode the strip of row \(row)")
        }
    }

    /// Decodes the tile whose top-left pixel is (`x`, `y`) into `buffer`, which holds at least ``tileSize`` bytes.
    func readTile(x: Int, y: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        guard TIFFReadTile(handle, buffer.baseAddress, UInt32(x), UInt32(y), 0, 0) != -1 else {
            throw failure("cannot decode the tile at (\(x), \(y))")
        }
    }

    /// A corrupt-data error for what failed, with libtiff's message; a truncation when libtiff ran out of data.
    func failure(_ what: String) -> ImageError {
        let reason = "\(what): \(messages.lastError)"
        let outOfData = ["Read error", "Not enough data", "Premature end", "Seek error", "past end"]
        return outOfData.contains(where: { messages.lastError.localizedCaseInsensitiveContains($0) })
            ? .truncatedData(source: source, format: .tiff, reason: reason)
            : .corruptData(source: source, format: .tiff, reason: reason)
    }

    private func field<Value>(_ tag: Int32, defaulted: Bool, _ value: inout Value) -> Bool {
        withUnsafeMutablePointer(to: &value) { pointer in
            withVaList([pointer]) { arguments in
                defaulted
                    ? TIFFVGetFieldDefaulted(handle, UInt32(tag), arguments) == 1
                    : TIFFVGetField(handle, UInt32(tag), arguments) == 1
            }
        }
    }

    // MARK: - libtiff callbacks

    /// libtiff's messages for one file.
    private final class Messages {
        var lastError = "libtiff gave no reason"
        /// libtiff warned that it defined ExtraSamples the file does not have.
        var extraSamplesInferred = false
    }

    private static func message(_ format: UnsafePointer<CChar>?, _ arguments: CVaListPointer?) -> String {
        guard let format, let arguments else { return "" }
        var buffer = [CChar](repeating: 0, count: 512)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let recordError: TIFFErrorHandlerExtR = { _, userData, _, format, arguments in
        guard let userData else { return 1 }
        Unmanaged<Messages>.fromOpaque(userData).takeUnretainedValue().lastError = message(format, arguments)
        return 1
    }

    /// The text of libtiff's warning when SamplesPerPixel exceeds the colour channels plus the ExtraSamples given.
    private static let inferredExtraSamplesWarning = "Sum of Photometric type-related color channels and ExtraSamples"

    private static let recordWarning: TIFFErrorHandlerExtR = { _, userData, _, format, _ in
        guard let userData, let format else { return 1 }
        if String(cString: format).hasPrefix(inferredExtraSamplesWarning) {
            Unmanaged<Messages>.fromOpaque(userData).takeUnretainedValue().extraSamplesInferred = true
        }
        return 1
    }

    /// The bytes libtiff reads through its client callbacks, and maps.
    private final class Bytes {
        let base: UnsafeMutableRawBufferPointer
        let count: Int
        var position = 0

        init(_ data: Data) {
            count = data.count
            base = .allocate(byteCount: max(count, 1), alignment: 16)
            _ = data.copyBytes(to: base.bindMemory(to: UInt8.self))
        }

        deinit { base.deallocate() }

        static func bytes(_ handle: thandle_t?) -> Bytes { Unmanaged<Bytes>.fromOpaque(handle!).takeUnretainedValue() }

        static let read: TIFFReadWriteProc = {
            (handle: thandle_t?, buffer: UnsafeMutableRawPointer?, size: tmsize_t) -> tmsize_t in
            let input = bytes(handle)
            guard let buffer, size > 0, input.position < input.count else { return 0 }
            let length = min(Int(size), input.count - input.position)
            buffer.copyMemory(from: input.base.baseAddress! + input.position, byteCount: length)
            input.position += length
            return tmsize_t(length)
        }

        static let write: TIFFReadWriteProc = { _, _, _ in 0 }

        static let seek: TIFFSeekProc = { handle, offset, whence in
            let input = bytes(handle)
            let base: UInt64 = switch whence {
            case SEEK_CUR: UInt64(input.position)
            case SEEK_END: UInt64(input.count)
            default: 0
            }
            let (target, overflow) = base.addingReportingOverflow(offset)
            guard !overflow, target <= UInt64(Int.max) else { return UInt64.max }
            input.position = Int(target)
            return target
        }

        static let close: TIFFCloseProc = { _ in 0 }

        static let size: TIFFSizeProc = { handle in UInt64(bytes(handle).count) }

        static let map: TIFFMapFileProc = { handle, base, size in
            let input = bytes(handle)
            base?.pointee = input.base.baseAddress
            size?.pointee = UInt64(input.count)
            return 1
        }

        static let unmap: TIFFUnmapFileProc = { _, _, _ in }
    }
}
