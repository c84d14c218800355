import FuzzSupport
import Image2Text

/// A WebP image, decoded as any image is (see `ImageTarget`).
func fuzzWebP(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ImageTarget.run(FuzzInput.data(start, count), decoder: WebPDecoder())
}

LibFuzzer.run(fuzzWebP)
