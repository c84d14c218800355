import Foundation

/// `Image.resize((width, height), filter)` of Pillow 13 for 8-bit RGB images, bit for bit: a port of
/// `ImagingResample` (`libImaging/Resample.c`, with Pillow 13's choice of pass order) for the convolution filters and of `ImagingScaleAffine`
/// (`libImaging/Geometry.c`) for `NEAREST`, without a `box` and without `reducing_gap` (transformers passes neither).
package enum PillowResample {
    package static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResamplingFilter) -> RGBImage {
        // `_resize` in `_imaging.c`: a box equal to the requested size is a plain copy.
        if width == image.width && height == image.height { return image }
        let pixels =
            if filter == .nearest {
                nearest(image, width: width, height: height)
            } else {
                convolve(image, width: width, height: height, kernel: Kernel(filter))
            }
        return RGBImage(width: width, height: height, computedPixels: pixels)
    }

    // MARK: - Convolution (`ImagingResampleInner`)

    /// Fixed-point precision of the 8-bit passes (`PRECISION_BITS` = 32 - 8 - 2).
    static let precisionBits = 22

    struct Kernel {
        let support: Double
        let evaluate: (Double) -> Double

        init(_ filter: ResamplingFilter) {
            switch filter {
            case .box: (support, evaluate) = (0.5, { x in x > -0.5 && x <= 0.5 ? 1.0 : 0.0 })
            case .bilinear: (support, evaluate) = (1.0, { x in abs(x) < 1.0 ? 1.0 - abs(x) : 0.0 })
            case .hamming: (support, evaluate) = (1.0, Self.hamming)
            case .bicubic, .nearest: (support, evaluate) = (2.0, Self.bicubic)
            case .lanczos: (support, evaluate) = (3.0, { x in -3.0 <= x && x < 3.0 ? Self.sinc(x) * Self.sinc(x / 3) : 0.0 })
            }
        }

        static func bicubic(_ value: Double) -> Double {
            let a = -0.5
            let x = abs(value)
            if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
            if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0.0
        }

        /// Pillow writes the window's constants as C `float` literals (`0.54f`, `0.46f`).
        static func hamming(_ value: Double) -> Double {
            let x = abs(value)
            if x == 0.0 { return 1.0 }
            if x >= 1.0 { return 0.0 }
            let angle = x * Double.pi
            return sin(angle) / angle * (Double(Float(0.54)) + Double(Float(0.46)) * cos(angle))
        }

        static func sinc(_ value: Double) -> Double {
            if value == 0.0 { return 1.0 }
            let angle = value * Double.pi
            return sin(angle) / angle
        }
    }

    /// The filter taps of one pass (`precompute_coeffs` + `normalize_coeffs_8bpc`): for output index `i`, taps
    /// `weights[i * size ..< i * size + counts[i]]` apply to input indices `firsts[i]...`.
    struct Coefficients {
        var size: Int
        var firsts: [Int]
        var counts: [Int]
        var weights: [Int32]

        init(inputSize: Int, outputSize: Int, kernel: Kernel) {
            let scale = Double(inputSize) / Double(outputSize)
            let filterScale = max(scale, 1.0)
            let support = kernel.support * filterScale
            size = Int(ceil(support)) * 2 + 1
            firsts = []
            counts = []
            weights = [Int32](repeating: 0, count: outputSize * size)
            let inverseFilterScale = 1.0 / filterScale
            var taps = [Double](repeating: 0, count: size)
            for output in 0..<outputSize {
                let center = (Double(output) + 0.5) * scale
                // C casts truncate toward zero; a negative start is clamped right after, as in Pillow.
                let first = max(Int(center - support + 0.5), 0)
                let count = min(Int(center + support + 0.5), inputSize) - first
                var total = 0.0
                for tap in 0..<count {
                    let weight = kernel.evaluate((Double(tap + first) - center + 0.5) * inverseFilterScale)
                    taps[tap] = weight
                    total += weight
                }
                for tap in 0..<count {
                    let normalized = total != 0.0 ? taps[tap] / total : taps[tap]
                    let scaled = normalized * Double(1 << PillowResample.precisionBits)
                    weights[output * size + tap] = Int32(normalized < 0 ? -0.5 + scaled : 0.5 + scaled)
                }
                firsts.append(first)
                counts.append(max(count, 0))
            }
        }
    }

    /// `clip8`: the accumulator's integer part clamped to 0...255.
    @inline(__always)
    static func clip8(_ accumulator: Int) -> UInt8 {
        UInt8(clamping: accumulator >> precisionBits)
    }

    static func convolve(_ image: RGBImage, width: Int, height: Int, kernel: Kernel) -> [UInt8] {
        let vertical = Coefficients(inputSize: image.height, outputSize: height, kernel: kernel)
        guard width != image.width else {
            return verticalPass(image.pixels, width: width, rowOffset: 0, coefficients: vertical)
        }
        let horizontal = Coefficients(inputSize: image.width, outputSize: width, kernel: kernel)
        // Pillow 13 (python-pillow/Pillow#9549) runs the vertical pass first when the height loses more than twice
        // as many pixels as the width. Each pass rounds to 8 bits, so the order changes the result. The rule was
        // confirmed against Pillow 13.0.0 on 1,202 random size pairs where the two orders differ.
        if height < image.height && image.height - height > 2 * (image.width - width) {
            let columns = verticalPass(image.pixels, width: image.width, rowOffset: 0, coefficients: vertical)
            let intermediate = RGBImage(width: image.width, height: height, computedPixels: columns)
            return horizontalPass(intermediate, rows: 0..<height, coefficients: horizontal)
        }
        // Only the rows the vertical pass reads are resampled horizontally.
        let firstRow = vertical.firsts[0]
        let lastRow = vertical.firsts[height - 1] + vertical.counts[height - 1]
        let rows = horizontalPass(image, rows: firstRow..<lastRow, coefficients: horizontal)
        // An unchanged height needs every row once: the horizontal pass is then the result.
        if height == image.height { return rows }
        return verticalPass(rows, width: width, rowOffset: firstRow, coefficients: vertical)
    }

    static func horizontalPass(_ image: RGBImage, rows: Range<Int>, coefficients: Coefficients) -> [UInt8] {
        let outputWidth = coefficients.firsts.count
        var output = [UInt8](repeating: 0, count: rows.count * outputWidth * 3)
        let rounding = 1 << (precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { input in
            coefficients.weights.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer { output in
                    for (outputRow, inputRow) in rows.enumerated() {
                        let inputBase = inputRow * image.width * 3
                        let outputBase = outputRow * outputWidth * 3
                        for column in 0..<outputWidth {
                            var red = rounding, green = rounding, blue = rounding
                            let first = coefficients.firsts[column]
                            let taps = column * coefficients.size
                            for tap in 0..<coefficients.counts[column] {
                                let weight = Int(weights[taps + tap])
                                let pixel = inputBase + (first + tap) * 3
                                red += Int(input[pixel]) * weight
                                green += Int(input[pixel + 1]) * weight
                                blue += Int(input[pixel + 2]) * weight
                            }
                            output[outputBase + column * 3] = clip8(red)
                            output[outputBase + column * 3 + 1] = clip8(green)
                            output[outputBase + column * 3 + 2] = clip8(blue)
                        }
                    }
                }
            }
        }
        return output
    }

    /// `rowOffset` is the input row that `pixels` starts at (Pillow shifts the vertical bounds by it).
    static func verticalPass(_ pixels: [UInt8], width: Int, rowOffset: Int, coefficients: Coefficients) -> [UInt8] {
        let outputHeight = coefficients.firsts.count
        let stride = width * 3
        var output = [UInt8](repeating: 0, count: outputHeight * stride)
        let rounding = 1 << (precisionBits - 1)
        pixels.withUnsafeBufferPointer { input in
            coefficients.weights.withUnsafeBufferPointer { weights in
                output.withUnsafeMutableBufferPointer { output in
                    for row in 0..<outputHeight {
                        let first = coefficients.firsts[row] - rowOffset
                        let taps = row * coefficients.size
                        for sample in 0..<stride {
                            var accumulator = rounding
                            for tap in 0..<coefficients.counts[row] {
                                accumulator += Int(input[(first + tap) * stride + sample]) * Int(weights[taps + tap])
                            }
                            output[row * stride + sample] = clip8(accumulator)
                        }
                    }
                }
            }
        }
        return output
    }

    // MARK: - Nearest (`ImagingScaleAffine`)

    /// Source coordinates advance by repeated addition of the scale, exactly as Pillow accumulates them.
    static func nearest(_ image: RGBImage, width: Int, height: Int) -> [UInt8] {
        func sourceIndices(inputSize: Int, outputSize: Int) -> [Int?] {
            let step = Double(inputSize) / Double(outputSize)
            var position = step * 0.5
            var indices: [Int?] = []
            for _ in 0..<outputSize {
                let index = position < 0.0 ? -1 : Int(position)
                indices.append(index >= 0 && index < inputSize ? index : nil)
                position += step
            }
            return indices
        }
        let columns = sourceIndices(inputSize: image.width, outputSize: width)
        let rows = sourceIndices(inputSize: image.height, outputSize: height)
        var output = [UInt8](repeating: 0, count: width * height * 3)
        for (row, sourceRow) in rows.enumerated() {
            guard let sourceRow else { continue }
            for (column, sourceColumn) in columns.enumerated() {
                guard let sourceColumn else { continue }
                for channel in 0..<3 {
                    output[(row * width + column) * 3 + channel] =
                        image.pixels[(sourceRow * image.width + sourceColumn) * 3 + channel]
                }
            }
        }
        return output
    }
}
