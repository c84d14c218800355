/// Pillow 13's GIF LZW decoder (`libImaging/GifDecode.c`) ported step for step, with the way `ImageFile.load` feeds
/// it, so that damaged data decodes, or fails, exactly as in Pillow.
///
/// Pillow's decoder has no notion of the block terminator: a zero-length sub-block is followed by another length
/// byte, so it reads on into whatever follows the image data. It stops with success as soon as the frame's last row
/// is written. It also returns when it meets the end code or needs a sub-block it does not have whole; `ImageFile.load`
/// then reads the next 64 KB of the file and calls it again, or, at the end of the file, raises "image file is
/// truncated". So an end code before the last pixel is an error unless more than 64 KB of data follows.
struct GIFLZWDecoder {
    /// `GIFTABLE`: codes are at most 12 bits.
    private static let tableSize = 4096
    /// `ImageFile.MAXBLOCK`: the bytes `ImageFile.load` reads per call.
    private static let readSize = 65536

    private let frame: GIFFirstFrame
    /// The file from the frame's first sub-block on.
    private let stream: ArraySlice<UInt8>
    private let source: String
    /// Bytes of `stream` Pillow has read so far.
    private var available: Int
    private var position: Int

    init(_ bytes: [UInt8], frame: GIFFirstFrame, source: String) {
        self.frame = frame
        stream = bytes[frame.dataOffset...]
        self.source = source
        available = min(stream.count, Self.readSize)
        position = stream.startIndex
    }

    /// Decodes the frame's indices, handing each to `put` with its column and row in the frame (rows in interlaced
    /// order if the frame says so). Returns once every pixel of the frame is put, or throws Pillow's error.
    mutating func decode(_ put: (_ x: Int, _ y: Int, _ index: UInt8) -> Void) throws {
        let (bits, frame) = (self.frame.minimumCodeSize, self.frame)
        guard (0...12).contains(bits) else { throw corrupt("LZW minimum code size \(bits) is over 12") }
        let clear = 1 << bits
        let end = clear + 1
        var suffix = [UInt8](repeating: 0, count: Self.tableSize)
        var link = [UInt16](repeating: 0, count: Self.tableSize)
        // Strings are unwound from their last byte, so they are pushed right to left.
        var stack = [UInt8](repeating: 0, count: Self.tableSize)
        var stackIndex = Self.tableSize
        var bitBuffer: UInt32 = 0
        var bitCount = 0
        var blockSize = 0
        var next = 0
        var codeSize = 0
        var codeMask = 0
        var lastCode = 0
        var lastByte: UInt8 = 0
        var needsReset = true
        var afterClear = true

        var pass = frame.isInterlaced ? 1 : 0
        var step = frame.isInterlaced ? 8 : 1
        var x = 0
        var y = 0
        /// Puts one index; true once the last row is complete.
        func emit(_ index: UInt8) -> Bool {
            put(x, y, index)
            x += 1
            guard x >= frame.frameWidth else { return false }
            x = 0
            y += step
            while y >= frame.frameHeight {
                switch pass {
                case 1: (y, pass) = (4, 2)
                case 2: (y, step, pass) = (2, 4, 3)
                case 3: (y, step, pass) = (1, 2, 0)
                default: return true
                }
            }
            return false
        }

        while true {
            if needsReset {
                next = clear + 2
                codeSize = bits + 1
                codeMask = (1 << codeSize) - 1
                stackIndex = Self.tableSize
                needsReset = false
                afterClear = true
            }
            if stackIndex < Self.tableSize {
                let pending = stack[stackIndex...]
                stackIndex = Self.tableSize
                for index in pending where emit(index) { return }
            } else {
                while bitCount < codeSize {
                    if blockSize > 0 {
                        bitBuffer |= UInt32(stream[position]) << bitCount
                        position += 1
                        bitCount += 8
                        blockSize -= 1
                    } else {
                        let consumed = position - stream.startIndex
                        guard consumed < available, consumed + Int(stream[position]) + 1 <= available else {
                            try readMore("the LZW data ends before the frame is complete")
                            continue
                        }
                        blockSize = Int(stream[position])
                        position += 1
                    }
                }
                var code = Int(bitBuffer) & codeMask
                bitBuffer >>= UInt32(codeSize)
                bitCount -= codeSize

                if code == clear {
                    if !afterClear { needsReset = true }
                    continue
                }
                if code == end {
                    try readMore("an end code comes before the frame is complete")
                    continue
                }
                if afterClear {
                    guard code < clear else { throw corrupt("code \(code) follows a clear code") }
                    lastByte = UInt8(truncatingIfNeeded: code)
                    lastCode = code
                    afterClear = false
                } else {
                    let thisCode = code
                    guard code <= next else { throw corrupt("code \(code) is past the table's \(next) entries") }
                    if code == next {
                        guard stackIndex > 0 else { throw corrupt("a string longer than \(Self.tableSize) bytes") }
                        stackIndex -= 1
                        stack[stackIndex] = lastByte
                        code = lastCode
                    }
                    while code >= clear {
                        guard stackIndex > 0, code < Self.tableSize else {
                            throw corrupt("code \(code) is past the table's \(Self.tableSize) entries")
                        }
                        stackIndex -= 1
                        stack[stackIndex] = suffix[code]
                        code = Int(link[code])
                    }
                    lastByte = UInt8(truncatingIfNeeded: code)
                    if next < Self.tableSize {
                        suffix[next] = UInt8(truncatingIfNeeded: code)
                        link[next] = UInt16(lastCode)
                        if next == codeMask && codeSize < 12 {
                            codeSize += 1
                            codeMask = (1 << codeSize) - 1
                        }
                        next += 1
                    }
                    lastCode = thisCode
                }
                if emit(lastByte) { return }
            }
        }
    }

    /// Where Pillow's decoder returns for more data: the next read, or "image file is truncated" at the end.
    private mutating func readMore(_ reason: String) throws {
        guard available < stream.count else {
            throw ImageError.truncatedData(source: source, format: .gif, reason: reason)
        }
        available = min(stream.count, available + Self.readSize)
    }

    private func corrupt(_ reason: String) -> ImageError {
        .corruptData(source: source, format: .gif, reason: "broken LZW data: \(reason)")
    }
}
