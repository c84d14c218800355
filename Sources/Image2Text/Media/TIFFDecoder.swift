import CTIFF
import Foundation

/// Decodes the first page of a TIFF exactly as Pillow 13's `TiffImagePlugin` opens it and transformers'
/// `convert_to_rgb` turns it into RGB, for the sample layouts of ``TIFFPixelLayout``. As inside Pillow, libtiff reads
/// the directory and decompresses the strips or tiles (uncompressed, LZW, Deflate, PackBits or CCITT, undoing the
/// predictor and the bit order); the samples are then converted here as Pillow's unpackers convert them.
///
/// Pillow turns a TIFF upright from its Orientation tag when it loads it (`TiffImageFile.load_end` calls
/// `ImageOps.exif_transpose`), so this decoder always does, whatever ``ImageOrientation`` asks.
public struct TIFFDecoder: ImageDecoding {
    public init() {}

    public var format: ImageFormat { .tiff }

    /// Classic and BigTIFF headers in either byte order, and the two with swapped version bytes that Pillow accepts
    /// too (libtiff refuses them).
    static let signatures: [[UInt8]] = ["MM\0*", "II*\0", "MM*\0", "II\0*", "MM\0+", "II+\0"].map { Array($0.utf8) }

    /// The compressions read, by their Compression tag value.
    static let compressions = [
        1: "none", 2: "CCITT RLE", 3: "CCITT Group 3", 4: "CCITT Group 4", 5: "LZW", 8: "Deflate", 32946: "Deflate",
        32773: "PackBits",
    ]

    /// Tiles may be larger than the image (a writer's fixed tile size for a small image), but not by more than this.
    static let maximumTilePixelsPastImage = 1 << 20

    public func recognizes(_ data: Data) -> Bool {
        Self.signatures.contains { data.starts(with: $0) }
    }

    public func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int) {
        try Self.dimensions(of: TIFFFile(data, source: source))
    }

    public func decode(_ data: Data, source: String) throws -> RGBImage {
        let file = try TIFFFile(data, source: source)
        let (width, height) = try Self.dimensions(of: file)
        func unsupported(_ variant: String) -> ImageError {
            .unsupportedVariant(source: source, format: .tiff, variant: variant)
        }

        let compression = Int(file.uint16(TIFFTAG_COMPRESSION, defaulted: true) ?? 1)
        guard Self.compressions[compression] != nil else {
            throw unsupported("compression \(compression) (read: none, LZW, Deflate, PackBits and CCITT)")
        }
        // Pillow takes a missing PhotometricInterpretation as min-is-white.
        let photometric = Int(file.uint16(TIFFTAG_PHOTOMETRIC) ?? 0)
        let bits = Int(file.uint16(TIFFTAG_BITSPERSAMPLE, defaulted: true) ?? 1)
        let samples = Int(file.uint16(TIFFTAG_SAMPLESPERPIXEL, defaulted: true) ?? 1)
        let extras = file.extraSamples
        let sampleFormat = Int(file.uint16(TIFFTAG_SAMPLEFORMAT, defaulted: true) ?? 1)
        let fillOrder = Int(file.uint16(TIFFTAG_FILLORDER, defaulted: true) ?? 1)
        guard let layout = TIFFPixelLayout(
            photometric: photometric, sampleFormat: sampleFormat, fillOrder: fillOrder, bitsPerSample: bits,
            samplesPerPixel: samples, extraSamples: extras, isBigEndian: file.isBigEndian)
        else {
            throw unsupported(
                "photometric interpretation \(photometric) with \(samples) samples of \(bits) bits (sample format "
                    + "\(sampleFormat), ExtraSamples \(extras), fill order \(fillOrder))")
        }
        let planarConfiguration = Int(file.uint16(TIFFTAG_PLANARCONFIG, defaulted: true) ?? 1)
        guard layout.samplesPerPixel == 1 || planarConfiguration == 1 else {
            throw unsupported("samples stored in separate planes (PlanarConfiguration 2)")
        }
        // Where Pillow misreads a file, it is refused rather than misread alike: Pillow reads uncompressed data itself,
        // not through libtiff, and mistakes these two settings for other layouts; and it takes libtiff's native-order
        // signed 16-bit samples of a big-endian file for big-endian ones.
        guard compression != 1 || (fillOrder == 1 && planarConfiguration == 1) else {
            throw unsupported("uncompressed data with FillOrder \(fillOrder) and PlanarConfiguration \(planarConfiguration)")
        }
        guard compression == 1 || !(layout.isSigned && bits == 16 && file.isBigEndian) else {
            throw unsupported("compressed signed 16-bit samples in a big-endian file")
        }
        let palette = try Self.palette(file, layout: layout)

        let (pixelCount, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixelCount <= Int.max / 3 else {
            throw unsupported("\(width)×\(height) pixels do not fit in memory")
        }
        var pixels = [UInt8](repeating: 0, count: pixelCount * 3)
        try pixels.withUnsafeMutableBufferPointer { output in
            if file.isTiled {
                try Self.readTiles(file, layout: layout, palette: palette, width: width, height: height, into: output)
            } else {
                try Self.readStrips(file, layout: layout, palette: palette, width: width, height: height, into: output)
            }
        }
        let image = RGBImage(width: width, height: height, computedPixels: pixels)
        guard let orientation = file.uint16(TIFFTAG_ORIENTATION),
            let transpose = EXIFOrientation(value: Int(orientation)).transpose
        else { return image }
        return image.transposed(transpose)
    }

    private static func dimensions(of file: TIFFFile) throws -> (width: Int, height: Int) {
        guard let width = file.uint32(TIFFTAG_IMAGEWIDTH), let height = file.uint32(TIFFTAG_IMAGELENGTH),
            width > 0, height > 0
        else {
            throw ImageError.corruptData(source: file.source, format: .tiff, reason: "the first directory declares no size")
        }
        return (Int(width), Int(height))
    }

    /// RGB for the 256 indices: the colour map's high bytes, as Pillow reads them (`b // 256`), black past its end.
    private static func palette(_ file: TIFFFile, layout: TIFFPixelLayout) throws -> [UInt8] {
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        guard layout.color == .palette else { return palette }
        let entries = 1 << layout.bitsPerSample
        guard let map = file.colorMap(entries: entries), map.count == 3 else {
            throw ImageError.corruptData(source: file.source, format: .tiff, reason: "a palette image without a ColorMap")
        }
        for index in 0..<entries {
            for channel in 0..<3 { palette[3 * index + channel] = UInt8(map[channel][index] >> 8) }
        }
        return palette
    }

    /// Pillow's `_decodeStrip`: each strip decoded whole, then its rows converted.
    private static func readStrips(
        _ file: TIFFFile, layout: TIFFPixelLayout, palette: [UInt8], width: Int, height: Int,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) throws {
        let declaredRows = file.uint32(TIFFTAG_ROWSPERSTRIP).map(Int.init) ?? height
        let rowsPerStrip = min(declaredRows, height)
        let rowStride = file.scanlineSize
        let stripSize = file.stripSize
        let rowBytes = layout.rowBytes(pixels: width)
        let (span, overflow) = (rowsPerStrip - 1).multipliedReportingOverflow(by: rowStride)
        guard rowsPerStrip > 0, rowStride >= rowBytes, !overflow, span <= stripSize - rowBytes else {
            throw ImageError.corruptData(
                source: file.source, format: .tiff,
                reason: "strips of \(declaredRows) rows, \(stripSize) bytes, rows of \(rowStride) bytes: "
                    + "not the \(rowBytes) bytes a row of \(width) pixels takes")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: stripSize, alignment: 16)
        defer { buffer.deallocate() }
        for top in stride(from: 0, to: height, by: rowsPerStrip) {
            try file.readStrip(containing: top, into: buffer)
            for row in 0..<min(rowsPerStrip, height - top) {
                let start = 3 * (top + row) * width
                layout.convert(
                    UnsafeRawBufferPointer(rebasing: buffer[row * rowStride..<row * rowStride + rowBytes]), count: width,
                    palette: palette, into: UnsafeMutableBufferPointer(rebasing: output[start..<start + 3 * width]))
            }
        }
    }

    /// Pillow's `_decodeTile`: each tile decoded whole, then the part of its rows inside the image converted.
    private static func readTiles(
        _ file: TIFFFile, layout: TIFFPixelLayout, palette: [UInt8], width: Int, height: Int,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) throws {
        let tileWidth = Int(file.uint32(TIFFTAG_TILEWIDTH) ?? 0)
        let tileLength = Int(file.uint32(TIFFTAG_TILELENGTH) ?? 0)
        let (tilePixels, overflow) = tileWidth.multipliedReportingOverflow(by: tileLength)
        guard tileWidth > 0, tileLength > 0, !overflow, tilePixels <= max(width * height, maximumTilePixelsPastImage)
        else {
            throw ImageError.unsupportedVariant(
                source: file.source, format: .tiff, variant: "tiles of \(tileWidth)×\(tileLength) pixels in a "
                    + "\(width)×\(height) image")
        }
        let rowStride = file.tileRowSize
        let tileSize = file.tileSize
        let rowBytes = layout.rowBytes(pixels: tileWidth)
        guard rowStride >= rowBytes, (tileLength - 1) * rowStride <= tileSize - rowBytes else {
            throw ImageError.corruptData(
                source: file.source, format: .tiff,
                reason: "tiles of \(tileSize) bytes, rows of \(rowStride) bytes: not the \(rowBytes) bytes a row of "
                    + "\(tileWidth) pixels takes")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: tileSize, alignment: 16)
        defer { buffer.deallocate() }
        for top in stride(from: 0, to: height, by: tileLength) {
            for left in stride(from: 0, to: width, by: tileWidth) {
                try file.readTile(x: left, y: top, into: buffer)
                let count = min(tileWidth, width - left)
                for row in 0..<min(tileLength, height - top) {
                    let start = 3 * ((top + row) * width + left)
                    layout.convert(
                        UnsafeRawBufferPointer(rebasing: buffer[row * rowStride..<row * rowStride + rowBytes]),
                        count: count, palette: palette,
                        into: UnsafeMutableBufferPointer(rebasing: output[start..<start + 3 * count]))
                }
            }
        }
    }
}
