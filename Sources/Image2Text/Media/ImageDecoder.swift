import Foundation

/// Reads a JPEG, PNG, GIF, WebP, BMP or TIFF file into an ``RGBImage``, choosing the decoder from the file's first
/// bytes (never from its name) and refusing images whose header exceeds ``ImageLimits`` before decoding them. EXIF
/// orientation is ignored, as transformers ignores it, unless ``ImageOrientation/applyEXIF`` is asked for; a TIFF's
/// own Orientation tag is always applied, as Pillow applies it when it loads a TIFF.
public enum ImageDecoder {
    /// The decoders tried, in order.
    public static let decoders: [any ImageDecoding] = [
        JPEGDecoder(), PNGDecoder(), GIFDecoder(), WebPDecoder(), BMPDecoder(), TIFFDecoder(),
    ]

    /// Reads and decodes the file at `url`.
    public static func decode(
        contentsOf url: URL, limits: ImageLimits = .pillowDefault, orientation: ImageOrientation = .ignoreEXIF
    ) throws -> RGBImage {
        let source = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw ImageError.fileNotFound(source: source)
        }
        if isDirectory.boolValue { throw ImageError.unreadableFile(source: source, reason: "it is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError.unreadableFile(source: source, reason: error.localizedDescription)
        }
        return try decode(data: data, source: source, limits: limits, orientation: orientation)
    }

    /// Decodes an image held in memory; `source` names it in errors (a path, a URL or a description).
    public static func decode(
        data: Data, source: String, limits: ImageLimits = .pillowDefault, orientation: ImageOrientation = .ignoreEXIF
    ) throws -> RGBImage {
        let decoder = try self.decoder(for: data, source: source)
        let (width, height) = try decoder.dimensions(of: data, source: source)
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        if overflow || pixels > limits.maximumPixels {
            throw ImageError.tooManyPixels(source: source, width: width, height: height, limit: limits.maximumPixels)
        }
        let image = try decoder.decode(data, source: source)
        guard orientation == .applyEXIF, let exif = decoder.exifPayload(in: data),
            let transpose = EXIFOrientation(exif: exif)?.transpose
        else { return image }
        return image.transposed(transpose)
    }

    /// Whether `data` starts with the signature of a format these decoders read.
    public static func recognizes(_ data: Data) -> Bool {
        decoders.contains { $0.recognizes(data) }
    }

    /// The decoder whose signature `data` starts with.
    static func decoder(for data: Data, source: String) throws -> any ImageDecoding {
        if data.isEmpty { throw ImageError.emptyFile(source: source) }
        guard let decoder = decoders.first(where: { $0.recognizes(data) }) else {
            throw ImageError.unknownFormat(source: source, startingWith: data)
        }
        return decoder
    }
}
