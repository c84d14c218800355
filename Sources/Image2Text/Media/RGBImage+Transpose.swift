/// Pillow's `Image.Transpose` methods: pixel permutations, no resampling.
enum ImageTranspose: Sendable {
    case flipLeftRight
    case flipTopBottom
    /// 90° counter-clockwise.
    case rotate90
    case rotate180
    /// 90° clockwise.
    case rotate270
    /// Mirror across the main diagonal (top-left to bottom-right).
    case transpose
    /// Mirror across the other diagonal (top-right to bottom-left).
    case transverse

    /// Whether the output's width is the input's height.
    var swapsAxes: Bool {
        switch self {
        case .flipLeftRight, .flipTopBottom, .rotate180: false
        case .rotate90, .rotate270, .transpose, .transverse: true
        }
    }
}

extension RGBImage {
    /// The image with `method` applied, as Pillow's `Image.transpose(method)` computes it.
    func transposed(_ method: ImageTranspose) -> RGBImage {
        let (outputWidth, outputHeight) = method.swapsAxes ? (height, width) : (width, height)
        var output = [UInt8](repeating: 0, count: pixels.count)
        for row in 0..<outputHeight {
            for column in 0..<outputWidth {
                let (x, y): (Int, Int) =
                    switch method {
                    case .flipLeftRight: (width - 1 - column, row)
                    case .flipTopBottom: (column, height - 1 - row)
                    case .rotate90: (width - 1 - row, column)
                    case .rotate180: (width - 1 - column, height - 1 - row)
                    case .rotate270: (row, height - 1 - column)
                    case .transpose: (row, column)
                    case .transverse: (width - 1 - row, height - 1 - column)
                    }
                let source = 3 * (y * width + x)
                let destination = 3 * (row * outputWidth + column)
                output[destination] = pixels[source]
                output[destination + 1] = pixels[source + 1]
                output[destination + 2] = pixels[source + 2]
            }
        }
        return RGBImage(width: outputWidth, height: outputHeight, computedPixels: output)
    }
}
