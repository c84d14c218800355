/// The headers of a BMP file read as Pillow 13's `BmpImagePlugin` reads them (`BmpImageFile._open` and `_bitmap`):
/// the 14-byte file header, an info header of a size Pillow knows (the 12-byte OS/2 core header, or a 40- to 124-byte
/// Windows one), the bit fields and the colour table; and from them how Pillow unpacks a row (its raw mode). Every
/// number comes from the file, so each is checked before it is used in arithmetic or as a size.
struct BMPHeader {
    /// How one pixel is stored: Pillow's raw mode for the file.
    enum PixelLayout: Equatable {
        /// `1`: one bit per pixel, 0 black and 1 white (a colour table of black and white).
        case bilevel
        /// `L`: one byte per pixel, the gray level (a colour table that is the identity gray ramp).
        case gray
        /// `P;1`, `P;4`, `P`: palette indices of 1, 4 or 8 bits.
        case indexed(bits: Int)
        /// `BGR;15`: 16 bits, little-endian, 5 per channel, blue in the low bits.
        case bgr15
        /// `BGR;16`: 16 bits, little-endian, 5, 6 and 5 for red, green and blue, blue in the low bits.
        case bgr16
        /// `BGR`, `BGRX`, `XBGR`, `BGXR`, `ABGR`, `RGBA`, `BGRA`, `BGAR`: a byte per channel in that order.
        case bytes(BMPByteOrder)

        /// Bits Pillow's unpacker reads per pixel.
        var bitsPerPixel: Int {
            switch self {
            case .bilevel: 1
            case .gray: 8
            case .indexed(let bits): bits
            case .bgr15, .bgr16: 16
            case .bytes(let order): 8 * order.bytesPerPixel
            }
        }
    }

    enum Compression: Int {
        case none = 0, runLength8 = 1, runLength4 = 2, bitFields = 3
    }

    let width: Int
    let height: Int
    /// Rows are stored top row first (a negative height); otherwise bottom row first.
    let isTopDown: Bool
    /// The bit count field: 1, 4, 8, 16, 24 or 32.
    let bitCount: Int
    let compression: Compression
    let layout: PixelLayout
    /// RGB triples for the 256 byte values of `gray` and `indexed` pixels and of run-length data: the identity gray
    /// ramp, the colour table (black past its end), or for `bilevel` black for 0 and white for any other value.
    let palette: [UInt8]
    /// Where the pixel data starts.
    let dataOffset: Int
    /// Bytes from one stored row to the next: `width * bitCount` bits rounded up to 4 bytes.
    let stride: Int

    static let signature: [UInt8] = Array("BM".utf8)
    static let infoHeaderSizes = [12, 40, 52, 56, 64, 108, 124]

    /// The bit fields Pillow accepts, by bit count: (red, green, blue, alpha) masks and the raw mode they stand for.
    private static let bitFieldLayouts: [Int: [([UInt32], PixelLayout)]] = [
        32: [
            ([0xFF0000, 0xFF00, 0xFF, 0], .bytes(BMPByteOrder("BGRX"))),
            ([0xFF00_0000, 0xFF0000, 0xFF00, 0], .bytes(BMPByteOrder("XBGR"))),
            ([0xFF00_0000, 0xFF00, 0xFF, 0], .bytes(BMPByteOrder("BGXR"))),
            ([0xFF00_0000, 0xFF0000, 0xFF00, 0xFF], .bytes(BMPByteOrder("ABGR"))),
            ([0xFF, 0xFF00, 0xFF0000, 0xFF00_0000], .bytes(BMPByteOrder("RGBA"))),
            ([0xFF0000, 0xFF00, 0xFF, 0xFF00_0000], .bytes(BMPByteOrder("BGRA"))),
            ([0xFF00_0000, 0xFF00, 0xFF, 0xFF0000], .bytes(BMPByteOrder("BGAR"))),
            ([0, 0, 0, 0], .bytes(BMPByteOrder("BGRA"))),
        ],
        24: [([0xFF0000, 0xFF00, 0xFF], .bytes(BMPByteOrder("BGR")))],
        16: [([0xF800, 0x7E0, 0x1F], .bgr16), ([0x7C00, 0x3E0, 0x1F], .bgr15)],
    ]

    init(_ bytes: [UInt8], source: String) throws {
        func truncated(_ reason: String) -> ImageError { .truncatedData(source: source, format: .bmp, reason: reason) }
        func corrupt(_ reason: String) -> ImageError { .corruptData(source: source, format: .bmp, reason: reason) }
        func unsupported(_ variant: String) -> ImageError {
            .unsupportedVariant(source: source, format: .bmp, variant: variant)
        }
        func uint16(at offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        func uint32(at offset: Int) -> Int { uint16(at: offset) | uint16(at: offset + 2) << 16 }

        guard bytes.count >= 18 else { throw truncated("the file ends inside the file header") }
        let fileDataOffset = uint32(at: 10)
        let headerSize = uint32(at: 14)
        guard Self.infoHeaderSizes.contains(headerSize) else {
            throw unsupported("an info header of \(headerSize) bytes (Pillow reads 12, 40, 52, 56, 64, 108 or 124)")
        }
        let headerEnd = 14 + headerSize
        guard bytes.count >= headerEnd else { throw truncated("the file ends inside the \(headerSize)-byte info header") }

        var colorCount = 0
        var entrySize = 4
        var compressionField = 0
        // The OS/2 core header has 16-bit sizes; the Windows ones a 32-bit width and a height that is negative (its top
        // byte 0xFF, as Pillow tests it) for rows stored top row first.
        if headerSize == 12 {
            width = uint16(at: 18)
            height = uint16(at: 20)
            isTopDown = false
            bitCount = uint16(at: 24)
            entrySize = 3
        } else {
            isTopDown = bytes[25] == 0xFF
            width = uint32(at: 18)
            height = isTopDown ? (1 << 32) - uint32(at: 22) : uint32(at: 22)
            bitCount = uint16(at: 28)
            compressionField = uint32(at: 30)
            colorCount = uint32(at: 46)
        }
        guard width > 0, height > 0 else { throw corrupt("the info header declares \(width)×\(height) pixels") }
        guard [1, 4, 8, 16, 24, 32].contains(bitCount) else {
            throw unsupported("a bit count of \(bitCount) (1, 4, 8, 16, 24 or 32 are read)")
        }
        if colorCount == 0 { colorCount = 1 << bitCount }

        // The masks follow the 40-byte header (Pillow reads them from there) or are its larger successors' fields.
        var afterHeaders = headerEnd
        var layout: PixelLayout
        switch compressionField {
        case Compression.bitFields.rawValue:
            let maskEnd = headerSize >= 56 ? 70 : 66
            guard bytes.count >= maskEnd else { throw truncated("the file ends inside the bit field masks") }
            let masks = Swift.stride(from: 54, to: 70, by: 4).map { $0 < maskEnd ? UInt32(uint32(at: $0)) : 0 }
            if headerSize == 40 { afterHeaders += 12 }
            let candidates = Self.bitFieldLayouts[bitCount] ?? []
            let compared = bitCount == 32 ? masks : Array(masks.prefix(3))
            guard let match = candidates.first(where: { $0.0 == compared }) else {
                let shown = compared.map { "0x" + String($0, radix: 16) }.joined(separator: ", ")
                throw unsupported("\(bitCount)-bit pixels with the bit field masks \(shown)")
            }
            layout = match.1
            compression = .bitFields
        case Compression.none.rawValue, Compression.runLength8.rawValue, Compression.runLength4.rawValue:
            compression = Compression(rawValue: compressionField) ?? .none
            switch bitCount {
            case 16: layout = .bgr15
            case 24: layout = .bytes(BMPByteOrder("BGR"))
            case 32: layout = .bytes(BMPByteOrder("BGRX"))  // the fourth byte is not alpha for Pillow
            default: layout = .indexed(bits: bitCount)
            }
        default:
            let names = [4: " (JPEG)", 5: " (PNG)", 6: " (alpha bit fields)"]
            throw unsupported("compression \(compressionField)\(names[compressionField] ?? "")")
        }

        // A colour table that is black and white, or the identity gray ramp, makes Pillow read the pixels as gray
        // levels (1 or L); any other becomes the palette, black past its last entry.
        var palette = [UInt8](repeating: 0, count: 256 * 3)
        if case .indexed = layout {
            guard (1...65536).contains(colorCount) else {
                throw unsupported("a colour table of \(colorCount) entries (Pillow reads 1 to 65536)")
            }
            let table = bytes[headerEnd..<min(bytes.count, headerEnd + entrySize * colorCount)]
            afterHeaders += table.count
            let grays = colorCount == 2 ? [0, 255] : Array(0..<colorCount)
            let isGray = grays.enumerated().allSatisfy { index, gray in
                let start = headerEnd + index * entrySize
                return start + 3 <= table.endIndex && table[start..<start + 3].allSatisfy { $0 == UInt8(gray & 0xFF) }
            }
            if isGray {
                layout = colorCount <= 2 ? .bilevel : .gray
                palette = (0..<256 * 3).map { layout == .gray ? UInt8($0 / 3) : $0 < 3 ? 0 : 255 }
            } else {
                let entries = table.count / entrySize
                guard entries <= 256 else {
                    throw unsupported("a colour table of \(entries) entries (Pillow reads at most 256)")
                }
                for entry in 0..<entries {
                    let start = headerEnd + entry * entrySize
                    (palette[3 * entry], palette[3 * entry + 1], palette[3 * entry + 2]) =
                        (table[start + 2], table[start + 1], table[start])
                }
            }
        }
        self.layout = layout
        self.palette = palette

        // Pillow skips a colour table the data offset points at, and reads from where the headers end when it is 0.
        var dataOffset = fileDataOffset
        if dataOffset == headerEnd, bitCount <= 8 { dataOffset += entrySize * colorCount }
        self.dataOffset = dataOffset == 0 ? afterHeaders : dataOffset
        stride = ((width * bitCount + 31) >> 3) & ~3
    }
}

/// The position of each channel in a pixel of a byte-per-channel raw mode such as `BGRX`; X is padding.
struct BMPByteOrder: Equatable {
    let bytesPerPixel: Int
    let red: Int
    let green: Int
    let blue: Int
    let alpha: Int?

    init(_ rawMode: String) {
        let letters = Array(rawMode)
        bytesPerPixel = letters.count
        red = letters.firstIndex(of: "R") ?? 0
        green = letters.firstIndex(of: "G") ?? 0
        blue = letters.firstIndex(of: "B") ?? 0
        alpha = letters.firstIndex(of: "A")
    }
}
