import Foundation
import Image2Text

/// The body of the image targets: the input decoded as the library decodes any image (signature, header limit,
/// pixels, EXIF orientation applied), when it carries `decoder`'s signature.
public enum ImageTarget {
    /// Far below Pillow's default, so that a large but legal image costs milliseconds, not the run's memory budget.
    public static let limits = ImageLimits(maximumPixels: 1 << 22)

    /// libFuzzer's result: 0, or -1 for input without the signature (kept out of the corpus, as another target's).
    public static func run(_ data: Data, decoder: any ImageDecoding) -> CInt {
        guard decoder.recognizes(data) else { return -1 }
        let source = "input.\(decoder.format)"
        ErrorOracle.expect([ImageError.self], naming: source) {
            let image = try ImageDecoder.decode(data: data, source: source, limits: limits, orientation: .applyEXIF)
            precondition(image.width > 0 && image.height > 0 && image.width * image.height <= limits.maximumPixels)
            precondition(image.pixels.count == image.width * image.height * 3)
        }
        return 0
    }
}
