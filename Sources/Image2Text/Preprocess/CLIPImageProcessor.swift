import Foundation

/// transformers 5.23's `CLIPImageProcessor` with its PIL backend (`CLIPImageProcessorPil`), which is what runs when
/// torchvision is absent: resize with Pillow, center crop (zero padding when the crop is larger), rescale in float64
/// then cast to float32, normalize in float32. Bit-identical to it for the same RGB bytes.
///
/// `do_convert_rgb` needs no work here: ``ImageDecoder`` already converts every image the way `convert_to_rgb` does.
public struct CLIPImageProcessor: Sendable {
    public let configuration: ImageProcessorConfiguration

    public init(configuration: ImageProcessorConfiguration = .clipDefaults) {
        self.configuration = configuration
    }

    /// The pixel values of one image.
    public func preprocess(_ image: RGBImage) throws -> PixelValues {
        var image = image
        if configuration.doResize {
            let (height, width) = Self.resizedSize(height: image.height, width: image.width, target: configuration.size)
            guard height > 0, width > 0 else {
                throw PreprocessError.emptyResize(
                    imageWidth: image.width, imageHeight: image.height, targetWidth: width, targetHeight: height)
            }
            image = PillowResample.resize(image, width: width, height: height, filter: configuration.resample)
        }
        let (height, width) = croppedSize(height: image.height, width: image.width)
        // `center_crop` in transformers' image_transforms.py: floor offsets; outside the image (when the crop is
        // larger) the result is zero, which is what its padding branch produces.
        let top = Self.floorHalf(image.height - height)
        let left = Self.floorHalf(image.width - width)

        var values = [Float](repeating: 0, count: 3 * height * width)
        let mean = configuration.imageMean.map { Float($0) }
        let std = configuration.imageStd.map { Float($0) }
        let (doRescale, doNormalize, factor) = (configuration.doRescale, configuration.doNormalize, configuration.rescaleFactor)
        for row in 0..<height {
            let sourceRow = top + row
            for column in 0..<width {
                let sourceColumn = left + column
                let inside = sourceRow >= 0 && sourceRow < image.height && sourceColumn >= 0 && sourceColumn < image.width
                let base = (sourceRow * image.width + sourceColumn) * 3
                for channel in 0..<3 {
                    let byte = inside ? image.pixels[base + channel] : 0
                    // `rescale`: float64 product, one cast to float32. `normalize`: float32 arithmetic.
                    var value = doRescale ? Float(Double(byte) * factor) : Float(byte)
                    if doNormalize { value = (value - mean[channel]) / std[channel] }
                    values[(channel * height + row) * width + column] = value
                }
            }
        }
        return PixelValues(shape: [3, height, width], values: values)
    }

    /// The (height, width) of the pixel values of an image of this size.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let resized = configuration.doResize ? Self.resizedSize(height: height, width: width, target: configuration.size) : (height, width)
        return croppedSize(height: resized.0, width: resized.1)
    }

    private func croppedSize(height: Int, width: Int) -> (height: Int, width: Int) {
        configuration.doCenterCrop ? (configuration.cropSize.height, configuration.cropSize.width) : (height, width)
    }

    /// transformers' output size for `size` (`get_resize_output_image_size` and `get_size_with_aspect_ratio`), as
    /// (height, width), with Python's int truncation and float64 arithmetic.
    static func resizedSize(height: Int, width: Int, target: ImageProcessorConfiguration.ResizeTarget) -> (Int, Int) {
        switch target {
        case .exact(let height, let width):
            return (height, width)
        case .shortestEdge(let edge):
            let (short, long) = width <= height ? (width, height) : (height, width)
            let newLong = Int(Double(edge * long) / Double(short))
            return width <= height ? (newLong, edge) : (edge, newLong)
        case .shortestEdgeCapped(var edge, let longest):
            let smallest = Double(min(height, width))
            let largest = Double(max(height, width))
            var rawSize: Double?
            if largest / smallest * Double(edge) > Double(longest) {
                let raw = Double(longest) * smallest / largest
                rawSize = raw
                edge = Int(raw.rounded(.toNearestOrEven))  // Python's round()
            }
            if (height <= width && height == edge) || (width <= height && width == edge) { return (height, width) }
            if width < height {
                let newHeight = rawSize.map { Int($0 * Double(height) / Double(width)) } ?? Int(Double(edge * height) / Double(width))
                return (newHeight, edge)
            }
            let newWidth = rawSize.map { Int($0 * Double(width) / Double(height)) } ?? Int(Double(edge * width) / Double(height))
            return (edge, newWidth)
        }
    }

    /// Python's `n // 2`, which rounds toward negative infinity.
    static func floorHalf(_ value: Int) -> Int {
        value >= 0 ? value / 2 : -((-value + 1) / 2)
    }
}
