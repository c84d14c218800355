import Foundation

/// The file formats ``ImageDecoder`` reads.
public enum ImageFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"
    /// The first frame, as Pillow opens it.
    case gif = "GIF"
    /// Lossy and lossless, still or animated (the first frame).
    case webp = "WebP"
    /// Windows bitmaps: uncompressed, run-length encoded or with bit fields.
    case bmp = "BMP"
    /// The first page (image file directory).
    case tiff = "TIFF"

    public var description: String { rawValue }

    /// The file name extensions of the format, lowercased (what a directory scan picks up).
    public var fileExtensions: [String] {
        switch self {
        case .jpeg: ["jpg", "jpeg"]
        case .png: ["png"]
        case .gif: ["gif"]
        case .webp: ["webp"]
        case .bmp: ["bmp"]
        case .tiff: ["tif", "tiff"]
        }
    }
}

/// Decodes one file format to 8-bit RGB the way Pillow 13 opens it and transformers' `convert_to_rgb` turns it into
/// RGB (transparency composited on opaque white, grayscale replicated, no EXIF rotation).
public protocol ImageDecoding: Sendable {
    /// The format this decoder reads.
    var format: ImageFormat { get }

    /// Whether `data` starts with this format's signature.
    func recognizes(_ data: Data) -> Bool

    /// Width and height as the header states them, read without decoding any pixel.
    func dimensions(of data: Data, source: String) throws -> (width: Int, height: Int)

    /// Decodes the whole image; throws ``ImageError`` naming `source` on failure.
    func decode(_ data: Data, source: String) throws -> RGBImage

    /// The EXIF block Pillow would put in `info["exif"]` (a TIFF structure, perhaps after `Exif\0\0`), or `nil`.
    func exifPayload(in data: Data) -> Data?
}

// MARK: - Default implementations

extension ImageDecoding {
    /// Formats without EXIF (GIF) have none.
    public func exifPayload(in data: Data) -> Data? { nil }
}

/// Limits checked against an image's header before any pixel is decoded.
public struct ImageLimits: Sendable, Equatable {
    /// The largest `width * height` accepted.
    public var maximumPixels: Int

    public init(maximumPixels: Int) {
        self.maximumPixels = maximumPixels
    }

    /// Pillow's default: `Image.open` refuses images over `2 * MAX_IMAGE_PIXELS` = 178,956,970 pixels.
    public static let pillowDefault = ImageLimits(maximumPixels: 178_956_970)
}
