import Foundation

extension JPEGDecoder {
    /// The `Exif\0\0` APP1 segments before the first scan, as Pillow's `JpegImagePlugin` collects them: the first
    /// whole, later ones appended without their `Exif\0\0`.
    public func exifPayload(in data: Data) -> Data? {
        let bytes = [UInt8](data)
        let prefix = Array("Exif\0\0".utf8)
        var payload: [UInt8]?
        var offset = 2
        segments: while offset + 1 < bytes.count {
            guard bytes[offset] == 0xFF else {
                offset += 1  // junk between segments
                continue
            }
            let marker = bytes[offset + 1]
            switch marker {
            case 0xFF: offset += 1  // fill byte
            case 0x00, 0x01, 0xD0...0xD8: offset += 2  // markers without a length
            case 0xD9, 0xDA: break segments  // end of image, start of scan
            default:
                let length = offset + 4 <= bytes.count ? Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3]) : 0
                let end = offset + 2 + length
                guard length >= 2, end <= bytes.count else { break segments }
                let segment = bytes[(offset + 4)..<end]
                if marker == 0xE1, segment.starts(with: prefix) {
                    payload = (payload ?? prefix) + segment.dropFirst(prefix.count)
                }
                offset = end
            }
        }
        return payload.map { Data($0) }
    }
}
