import Foundation

/// An image file that cannot be read or decoded. Every case names the file (its path, or a description of the
/// in-memory source).
public enum ImageError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(source: String)
    case unreadableFile(source: String, reason: String)
    case emptyFile(source: String)
    /// The first bytes match the signature of none of the formats read (``ImageFormat``).
    case unknownFormat(source: String, leadingBytes: String)
    /// The decoder stopped on damaged data; `reason` is its own message.
    case corruptData(source: String, format: ImageFormat, reason: String)
    /// The data ends before the image does.
    case truncatedData(source: String, format: ImageFormat, reason: String)
    /// The header declares more pixels than `limit`; nothing was decoded.
    case tooManyPixels(source: String, width: Int, height: Int, limit: Int)
    /// A valid file in a variant this decoder does not handle.
    case unsupportedVariant(source: String, format: ImageFormat, variant: String)

    public var description: String {
        switch self {
        case .fileNotFound(let source): "\(source): file not found"
        case .unreadableFile(let source, let reason): "\(source): cannot read the file: \(reason)"
        case .emptyFile(let source): "\(source): the file is empty"
        case .unknownFormat(let source, let leadingBytes):
            "\(source): not a \(Self.formatsRead) image (it starts with \(leadingBytes))"
        case .corruptData(let source, let format, let reason): "\(source): corrupt \(format) data: \(reason)"
        case .truncatedData(let source, let format, let reason): "\(source): truncated \(format) data: \(reason)"
        case .tooManyPixels(let source, let width, let height, let limit):
            // Two 32-bit sides (BMP, TIFF) can multiply past Int.max.
            "\(source): \(width)×\(height)"
                + (width.multipliedReportingOverflow(by: height).overflow ? "" : " = \(width * height)")
                + " pixels exceeds the limit of \(limit) pixels"
        case .unsupportedVariant(let source, let format, let variant): "\(source): unsupported \(format) variant: \(variant)"
        }
    }

    /// The unknown-format error for `data`, shown by its first 8 bytes in hex.
    static func unknownFormat(source: String, startingWith data: some Collection<UInt8>) -> ImageError {
        .unknownFormat(source: source, leadingBytes: data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " "))
    }

    /// "JPEG, PNG, GIF, WebP, BMP or TIFF".
    private static let formatsRead: String = {
        let names = ImageFormat.allCases.map(\.description)
        return names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
    }()
}
