/// What a JPEG's marker structure says before any pixel is decoded, read the way libjpeg reads markers: the coding
/// process and components of the first frame header (SOFn), and how many bytes of entropy-coded data all the scans
/// hold together. ``JPEGDecoder`` compares the two to refuse a file whose data ends long before its declared size
/// without allocating the image (libjpeg would fill the missing blocks with gray, and Pillow keeps that image when the
/// file still ends with an EOI marker).
struct JPEGScanLayout {
    enum Coding {
        /// SOF0 and SOF1: every block is coded in full in one scan.
        case sequentialHuffman
        /// SOF2: every block's DC coefficient is coded in a first DC scan.
        case progressiveHuffman
        /// Arithmetic coding, lossless and hierarchical processes: no useful bound.
        case other
    }

    let width: Int
    let height: Int
    let coding: Coding
    /// 8×8 blocks over all components, MCU padding left out.
    let blockCount: Int
    /// Bytes between the scan headers and the markers that end the scans (restart markers left out).
    let scanBytes: Int

    /// The fewest bytes of entropy-coded data that code every block once. A Huffman code is at least one bit, and a
    /// sequential scan codes at least two per block (the DC difference, then an AC coefficient or the end of block);
    /// a progressive file's first DC scans code one per block. Arithmetic coding can go below any such bound.
    var minimumScanBytes: Int {
        switch coding {
        case .sequentialHuffman: (2 * blockCount + 7) / 8
        case .progressiveHuffman: (blockCount + 7) / 8
        case .other: 0
        }
    }

    /// Reads `bytes` (a file starting with SOI); nil without a frame header whose sampling factors libjpeg accepts.
    init?(_ bytes: UnsafeRawBufferPointer) {
        var frame: (width: Int, height: Int, coding: Coding, blocks: Int)?
        var scanBytes = 0
        var offset = 2
        markers: while offset + 1 < bytes.count {
            guard bytes[offset] == 0xFF else {
                offset += 1  // libjpeg skips bytes between markers, with a warning
                continue
            }
            let marker = bytes[offset + 1]
            offset += marker == 0xFF ? 1 : 2  // fill bytes before a marker
            switch marker {
            case 0xFF, 0x00, 0x01, 0xD0...0xD8: continue
            case 0xD9: break markers  // end of image
            default:
                guard offset + 2 <= bytes.count else { break markers }
                let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
                let end = offset + length
                guard length >= 2, end <= bytes.count else { break markers }
                if frame == nil, Self.frameMarkers.contains(marker) {
                    frame = Self.frame(bytes[(offset + 2)..<end], marker: marker)
                    if frame == nil { return nil }
                }
                offset = end
                if marker == 0xDA { (scanBytes, offset) = Self.entropyCodedData(bytes, from: offset, counted: scanBytes) }
            }
        }
        guard let frame else { return nil }
        (width, height, coding, blockCount) = frame
        self.scanBytes = scanBytes
    }

    /// SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    private static let frameMarkers = Set<UInt8>(0xC0...0xCF).subtracting([0xC4, 0xC8, 0xCC])

    /// The frame header's size, coding and block count; nil when a field is one libjpeg refuses.
    private static func frame(_ header: Slice<UnsafeRawBufferPointer>, marker: UInt8)
        -> (width: Int, height: Int, coding: Coding, blocks: Int)?
    {
        let fields = Array(header)
        guard fields.count >= 6 else { return nil }
        let height = Int(fields[1]) << 8 | Int(fields[2])
        let width = Int(fields[3]) << 8 | Int(fields[4])
        let componentCount = Int(fields[5])
        guard componentCount > 0, fields.count >= 6 + 3 * componentCount else { return nil }
        let factors: [UInt8] = (0..<componentCount).map { fields[7 + 3 * $0] }
        let horizontal = factors.map { Int($0 >> 4) }
        let vertical = factors.map { Int($0 & 15) }
        guard (horizontal + vertical).allSatisfy((1...4).contains) else { return nil }
        let (maxH, maxV) = (horizontal.max() ?? 1, vertical.max() ?? 1)
        var blocks = 0
        for (h, v) in zip(horizontal, vertical) {
            // The component's size in samples, rounded up as libjpeg rounds it, then in whole 8×8 blocks.
            let columns = (width * h + maxH - 1) / maxH
            let rows = (height * v + maxV - 1) / maxV
            blocks += (columns + 7) / 8 * ((rows + 7) / 8)
        }
        let coding: Coding = switch marker {
        case 0xC0, 0xC1: .sequentialHuffman
        case 0xC2: .progressiveHuffman
        default: .other
        }
        return (width, height, coding, blocks)
    }

    /// Counts the entropy-coded bytes from `start` to the next marker other than a restart marker; returns the new
    /// total and the marker's offset.
    private static func entropyCodedData(_ bytes: UnsafeRawBufferPointer, from start: Int, counted: Int) -> (Int, Int) {
        var (count, offset) = (counted, start)
        while offset < bytes.count {
            if bytes[offset] == 0xFF, offset + 1 < bytes.count {
                switch bytes[offset + 1] {
                case 0x00:  // a stuffed 0xFF data byte
                    (count, offset) = (count + 1, offset + 2)
                    continue
                case 0xD0...0xD7:
                    offset += 2
                    continue
                default: return (count, offset)
                }
            }
            (count, offset) = (count + 1, offset + 1)
        }
        return (count, offset)
    }
}
