import FuzzSupport
import Image2Text

/// A PNG image, decoded as any image is (see `ImageTarget`).
func fuzzPNG(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ImageTarget.run(FuzzInput.data(start, count), decoder: PNGDecoder())
}

LibFuzzer.run(fuzzPNG)
