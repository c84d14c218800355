import FuzzSupport
import Image2Text

/// A BMP image, decoded as any image is (see `ImageTarget`).
func fuzzBMP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ImageTarget.run(FuzzInput.data(start, count), decoder: BMPDecoder())
}

LibFuzzer.run(fuzzBMP)
