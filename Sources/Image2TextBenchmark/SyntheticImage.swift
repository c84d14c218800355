import Image2Text

extension RGBImage {
    /// The image `image2text bench` times when given none: 640×480 (a photo's 4:3, resized and cropped as photos
    /// are), colour gradients under a disc and a band, computed from the pixel position alone, so that every run and
    /// machine sees the same pixels without the repository's fixtures.
    public static let benchmarkPattern: RGBImage = {
        let (width, height) = (640, 480)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let (dx, dy) = (x - 400, y - 200)
                let inDisc = dx * dx + dy * dy < 120 * 120
                let inBand = (x + 2 * y) % 160 < 24
                let offset = (y * width + x) * 3
                pixels[offset] = inDisc ? 230 : UInt8(x * 255 / (width - 1))
                pixels[offset + 1] = inBand ? 40 : UInt8(y * 255 / (height - 1))
                pixels[offset + 2] = UInt8((x ^ y) & 0xFF)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)!
    }()
}
