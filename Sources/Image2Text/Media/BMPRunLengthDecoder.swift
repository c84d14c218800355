/// Pillow 13's `BmpRleDecoder`, step for step: RLE8 and RLE4 data expanded to one byte per pixel, in stored row order.
///
/// A run is clipped at the end of its row; an absolute run is not (it continues on the next row, and moves the column
/// past the row's end, after which runs on that row are empty). End of line fills the row with index 0, a delta moves
/// right and up by filling index 0, end of bitmap or the end of the data stops. Every step reads at least two bytes or
/// stops, and no step writes past the pixel count but a run's last row, so the work is bounded by the file and the
/// image.
enum BMPRunLengthDecoder {
    /// The `width * height` values (a run may leave a few more), or `nil` when the data ends before them (Pillow's
    /// "not enough image data").
    static func decode(_ bytes: [UInt8], from start: Int, width: Int, height: Int, fourBitRuns: Bool) -> [UInt8]? {
        let pixelCount = width * height
        var values: [UInt8] = []
        var column = 0
        var position = start
        while values.count < pixelCount {
            guard position <= bytes.count - 2 else { break }
            let count = Int(bytes[position])
            let value = bytes[position + 1]
            position += 2
            if count > 0 {
                let clipped = column + count > width ? max(0, width - column) : count
                if fourBitRuns {
                    for index in 0..<clipped { values.append(index % 2 == 0 ? value >> 4 : value & 0x0F) }
                } else {
                    values.append(contentsOf: repeatElement(value, count: clipped))
                }
                column += clipped
            } else if value == 0 {  // end of line
                values.append(contentsOf: repeatElement(0, count: (width - values.count % width) % width))
                column = 0
            } else if value == 1 {  // end of bitmap
                break
            } else if value == 2 {  // delta
                guard position <= bytes.count - 2 else { break }
                let skipped = Int(bytes[position]) + Int(bytes[position + 1]) * width
                position += 2
                values.append(contentsOf: repeatElement(0, count: min(pixelCount - values.count, skipped)))
                column = values.count % width
            } else {  // absolute run of `value` pixels, padded to an even number of bytes
                let wanted = min(pixelCount - values.count, Int(value))
                let byteCount = fourBitRuns ? (wanted + 1) / 2 : wanted
                let available = bytes[min(position, bytes.count)..<min(position + byteCount, bytes.count)]
                position += available.count
                if fourBitRuns {
                    for (index, byte) in available.enumerated() {
                        values.append(byte >> 4)
                        if 2 * index + 1 < wanted { values.append(byte & 0x0F) }
                    }
                } else {
                    values.append(contentsOf: available)
                }
                if available.count < byteCount || values.count == pixelCount { break }
                column += Int(value)
                if position % 2 != 0 { position += 1 }
            }
        }
        return values.count >= pixelCount ? values : nil
    }
}
