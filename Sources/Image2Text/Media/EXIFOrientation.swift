/// The EXIF Orientation tag (0x0112) read the way Pillow 13 reads it (`Image.Exif.load` over
/// `TiffImagePlugin.ImageFileDirectory_v2`), and the transposition `ImageOps.exif_transpose` applies for it.
///
/// Pillow strips one or two leading `Exif\0\0`, checks the TIFF header (either byte order), then reads IFD0's
/// 12-byte entries in order. It skips an entry that repeats a tag, has an unknown type or no data, or whose
/// out-of-line data would bring the directory's total past the block's size; it stops at a short entry or at data
/// that runs past the end. The orientation is the first value of an integer entry (SHORT, LONG, SBYTE, SSHORT,
/// SLONG, IFD or LONG8; Pillow keeps one value for a tag specified with one); any other type gives a value
/// `exif_transpose` does not map (floats and rationals equal to 2–8 aside, which no writer produces).
struct EXIFOrientation: Equatable {
    /// The tag's value, 1–8 for a valid orientation.
    let value: Int

    private static let tag = 0x0112
    private static let exifPrefix: [UInt8] = Array("Exif\0\0".utf8)

    /// Size of one value of each TIFF type Pillow reads, and whether it is read as an integer.
    private static let types: [Int: (size: Int, isInteger: Bool, isSigned: Bool)] = [
        1: (1, false, false), 2: (1, false, false), 3: (2, true, false), 4: (4, true, false), 5: (8, false, false),
        6: (1, true, true), 7: (1, false, false), 8: (2, true, true), 9: (4, true, true), 10: (8, false, false),
        11: (4, false, false), 12: (8, false, false), 13: (4, true, false), 16: (8, true, false),
    ]

    /// An orientation read elsewhere (a TIFF's own Orientation tag).
    init(value: Int) {
        self.value = value
    }

    /// `nil` when the block has no TIFF header or no readable orientation entry, or its value is not an integer.
    init?(exif: some Collection<UInt8>) {
        var bytes = [UInt8](exif)
        for _ in 0..<2 where bytes.starts(with: Self.exifPrefix) { bytes.removeFirst(Self.exifPrefix.count) }
        guard bytes.count >= 8 else { return nil }
        let bigEndian: Bool
        switch Array(bytes[0..<4]) {
        case [0x49, 0x49, 0x2A, 0x00], [0x49, 0x49, 0x00, 0x2A]: bigEndian = false
        case [0x4D, 0x4D, 0x00, 0x2A], [0x4D, 0x4D, 0x2A, 0x00]: bigEndian = true
        default: return nil
        }
        func unsigned(at offset: Int, size: Int) -> Int? {
            guard offset >= 0, size <= 8, offset <= bytes.count - size else { return nil }
            let field = bytes[offset..<offset + size]
            return (bigEndian ? Array(field) : field.reversed()).reduce(0) { $0 << 8 | Int($1) }
        }
        guard let directory = unsigned(at: 4, size: 4), let entryCount = unsigned(at: directory, size: 2) else {
            return nil
        }
        var seenTags = Set<Int>()
        var outOfLineSize = 0
        for entry in 0..<entryCount {
            let base = directory + 2 + 12 * entry
            guard let tag = unsigned(at: base, size: 2), let typeCode = unsigned(at: base + 2, size: 2),
                let count = unsigned(at: base + 4, size: 4), let inline = unsigned(at: base + 8, size: 4)
            else { return nil }
            guard !seenTags.contains(tag), let type = Self.types[typeCode] else { continue }
            let size = count * type.size
            var dataOffset = base + 8
            if size > 4 {
                outOfLineSize += size
                guard outOfLineSize <= bytes.count else { continue }
                dataOffset = inline
                guard dataOffset <= bytes.count - size else { return nil }
            }
            guard size > 0 else { continue }
            seenTags.insert(tag)
            guard tag == Self.tag else { continue }
            guard type.isInteger, let raw = unsigned(at: dataOffset, size: type.size) else { return nil }
            let signBit = 1 << (8 * type.size - 1)
            value = type.isSigned && raw & signBit != 0 ? raw - 2 * signBit : raw
            return
        }
        return nil
    }

    /// What `ImageOps.exif_transpose` does for this value; `nil` for 1 and for values it does not map.
    var transpose: ImageTranspose? {
        switch value {
        case 2: .flipLeftRight
        case 3: .rotate180
        case 4: .flipTopBottom
        case 5: .transpose
        case 6: .rotate270
        case 7: .transverse
        case 8: .rotate90
        default: nil
        }
    }
}
