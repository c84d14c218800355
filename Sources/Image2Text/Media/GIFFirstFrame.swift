/// What Pillow 13's `GifImagePlugin` reads before the first frame's pixel data (`GifImageFile._open` and
/// `_seek(0)`), parsed the same way: the logical screen and global colour table, then blocks up to the first image
/// descriptor. Bytes that start no block are skipped one by one, as Pillow skips them; every loop advances through
/// the data.
struct GIFFirstFrame {
    /// The image size: the logical screen, enlarged when the first frame reaches past it.
    let width: Int
    let height: Int
    /// Where the first frame's pixels go.
    let frameX: Int
    let frameY: Int
    let frameWidth: Int
    let frameHeight: Int
    let isInterlaced: Bool
    /// The colour table in use (the frame's own, else the global one) as RGB triples; `nil` when Pillow opens the
    /// image as L: no table, or one that is the identity gray ramp (entry i = (i, i, i)).
    let palette: [UInt8]?
    /// The transparent index of the graphic control extension before the frame.
    let transparentIndex: UInt8?
    /// The LZW minimum code size byte.
    let minimumCodeSize: Int
    /// Offset of the first LZW sub-block.
    let dataOffset: Int

    static let signatures = ["GIF87a", "GIF89a"].map { Array($0.utf8) }

    init(_ bytes: [UInt8], source: String) throws {
        func truncated(_ reason: String) -> ImageError { .truncatedData(source: source, format: .gif, reason: reason) }
        func corrupt(_ reason: String) -> ImageError { .corruptData(source: source, format: .gif, reason: reason) }
        func uint16(at offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }

        guard bytes.count >= 13 else { throw truncated("the file ends inside the header") }
        var offset = 13
        /// The colour table of `3 << bits` bytes at `offset`, its size field in the low bits of `flags`.
        func colorTable(flags: UInt8) throws -> [UInt8] {
            let size = 3 << (Int(flags & 7) + 1)
            guard offset + size <= bytes.count else { throw truncated("the file ends inside a colour table") }
            defer { offset += size }
            return Array(bytes[offset..<offset + size])
        }
        /// Pillow's `GifImageFile.data()`: one sub-block, `nil` at a zero length byte or at the end of the data.
        func subBlock() -> ArraySlice<UInt8>? {
            guard offset < bytes.count else { return nil }
            let size = Int(bytes[offset])
            offset += 1
            guard size > 0, offset < bytes.count else { return nil }
            let end = min(offset + size, bytes.count)
            defer { offset = end }
            return bytes[offset..<end]
        }

        let screenFlags = bytes[10]
        var globalPalette: [UInt8]?
        if screenFlags & 0x80 != 0 {
            let table = try colorTable(flags: screenFlags)
            globalPalette = Self.isIdentityGrayRamp(table) ? nil : table
        }

        var transparentIndex: UInt8?
        blocks: while true {
            guard offset < bytes.count else { throw truncated("the file ends before the first image") }
            let introducer = bytes[offset]
            offset += 1
            if introducer == 0x3B { throw corrupt("the trailer comes before any image") }
            if introducer == 0x21 {
                guard offset < bytes.count else { throw truncated("the file ends inside an extension") }
                let label = bytes[offset]
                offset += 1
                var block = subBlock()
                if label == 0xF9, let control = block {
                    // Pillow indexes bytes 0–3 of the graphic control block.
                    let hasTransparency = control[control.startIndex] & 1 != 0
                    guard control.count >= (hasTransparency ? 4 : 3) else {
                        throw corrupt("a graphic control extension of \(control.count) bytes")
                    }
                    if hasTransparency { transparentIndex = control[control.startIndex + 3] }
                } else if label == 0xFE {
                    // A comment is read until its terminator, which ends the extension.
                    while block != nil { block = subBlock() }
                    continue
                } else if label == 0xFF, let application = block, application.starts(with: Array("NETSCAPE2.0".utf8)) {
                    _ = subBlock()  // the loop count block
                }
                // Pillow then skips sub-blocks until an empty one, even when the first read already met the
                // terminator.
                while subBlock() != nil {}
                continue
            }
            if introducer == 0x2C { break blocks }
        }

        guard offset + 9 <= bytes.count else { throw truncated("the file ends inside an image descriptor") }
        frameX = uint16(at: offset)
        frameY = uint16(at: offset + 2)
        frameWidth = uint16(at: offset + 4)
        frameHeight = uint16(at: offset + 6)
        let frameFlags = bytes[offset + 8]
        offset += 9
        isInterlaced = frameFlags & 0x40 != 0
        if frameFlags & 0x80 != 0 {
            let table = try colorTable(flags: frameFlags)
            palette = Self.isIdentityGrayRamp(table) ? nil : table
        } else {
            palette = globalPalette
        }
        guard offset < bytes.count else { throw truncated("the file ends before the image data") }
        minimumCodeSize = Int(bytes[offset])
        dataOffset = offset + 1
        self.transparentIndex = transparentIndex
        width = max(uint16(at: 6), frameX + frameWidth)
        height = max(uint16(at: 8), frameY + frameHeight)
    }

    /// Pillow's `_is_palette_needed` is false: every entry i is (i, i, i).
    private static func isIdentityGrayRamp(_ table: [UInt8]) -> Bool {
        stride(from: 0, to: table.count, by: 3).allSatisfy { entry in
            let index = entry / 3
            return Int(table[entry]) == index && Int(table[entry + 1]) == index && Int(table[entry + 2]) == index
        }
    }
}
