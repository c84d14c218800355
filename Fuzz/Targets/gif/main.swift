import FuzzSupport
import Image2Text

/// A GIF image, decoded as any image is (see `ImageTarget`).
func fuzzGIF(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ImageTarget.run(FuzzInput.data(start, count), decoder: GIFDecoder())
}

LibFuzzer.run(fuzzGIF)
