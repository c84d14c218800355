/// Pillow's integer pixel conversions, ported so that decoded images equal what transformers' `convert_to_rgb` gets
/// from Pillow 13 byte for byte.
package enum PillowConversion {
    /// `SHIFTFORDIV255` from Pillow's `libImaging/ImagingUtils.h`: an exact `x / 255` for the ranges used here.
    @inline(__always)
    static func shiftForDivide255(_ value: UInt32) -> UInt32 {
        ((value >> 8) + value) >> 8
    }

    /// One colour channel of `Image.alpha_composite(white, source)` (Pillow's `ImagingAlphaComposite` in
    /// `libImaging/AlphaComposite.c`), which `convert_to_rgb` uses to drop transparency, with the destination
    /// fixed to opaque white.
    @inline(__always)
    static func compositeOnWhite(_ channel: UInt8, alpha: UInt8) -> UInt8 {
        if alpha == 0 { return 255 }
        let precisionBits: UInt32 = 7
        let sourceAlpha = UInt32(alpha)
        let blend = 255 * (255 - sourceAlpha)
        let outputAlpha255 = sourceAlpha * 255 + blend
        let sourceWeight = sourceAlpha * 255 * 255 * (1 << precisionBits) / outputAlpha255
        let destinationWeight = 255 * (1 << precisionBits) - sourceWeight
        let mixed = UInt32(channel) * sourceWeight + 255 * destinationWeight
        return UInt8(shiftForDivide255(mixed + (0x80 << precisionBits)) >> precisionBits)
    }

    /// Pillow's CMYK→RGB (`cmyk2rgb` in `libImaging/Convert.c`): each channel is `255 - black` less its product with
    /// the ink, both in 0–255 (`MULDIV255`).
    @inline(__always)
    static func rgb(cyan: UInt8, magenta: UInt8, yellow: UInt8, black: UInt8) -> (UInt8, UInt8, UInt8) {
        let notBlack = 255 - Int(black)
        func channel(_ ink: UInt8) -> UInt8 {
            let product = Int(ink) * notBlack + 128
            let scaled = ((product >> 8) + product) >> 8  // MULDIV255
            return UInt8(clamping: notBlack - scaled)
        }
        return (channel(cyan), channel(magenta), channel(yellow))
    }
}
