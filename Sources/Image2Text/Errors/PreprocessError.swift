/// An image the processor cannot turn into pixel values with the given settings.
public enum PreprocessError: Error, Equatable, CustomStringConvertible {
    /// The resize rule gives an empty image (transformers' PIL backend fails the same way).
    case emptyResize(imageWidth: Int, imageHeight: Int, targetWidth: Int, targetHeight: Int)

    public var description: String {
        switch self {
        case .emptyResize(let imageWidth, let imageHeight, let targetWidth, let targetHeight):
            "cannot resize a \(imageWidth)×\(imageHeight) image to \(targetWidth)×\(targetHeight) pixels: "
                + "the processor's size settings give an empty image"
        }
    }
}
