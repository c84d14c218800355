import FuzzSupport
import Image2Text

/// A TIFF image, decoded as any image is (see `ImageTarget`): libtiff reads the directory and the strips or tiles.
func fuzzTIFF(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    ImageTarget.run(FuzzInput.data(start, count), decoder: TIFFDecoder())
}

LibFuzzer.run(fuzzTIFF)
