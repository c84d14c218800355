import FuzzSupport
import Image2Text

/// A JPEG image, decoded as any image is (see `ImageTarget`).
func fuzzJPEG(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ImageTarget.run(FuzzInput.data(start, count), decoder: JPEGDecoder())
}

LibFuzzer.run(fuzzJPEG)
