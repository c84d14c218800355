/// How the samples of a TIFF are laid out, for the layouts of Pillow 13's `TiffImagePlugin.OPEN_INFO` this decoder
/// reads, and the RGB transformers' `convert_to_rgb` makes of each pixel: bilevel and gray of 1, 2, 4, 8 or 16 bits,
/// gray with alpha, palettes of 1 to 8 bits (with alpha), RGB and CMYK of 8 or 16 bits with unused, straight or
/// premultiplied extra samples.
///
/// Pillow scales 2- and 4-bit gray to 0–255, inverts min-is-white gray (but not 16-bit gray, which it clips to 0–255
/// as stored, signed or not), keeps the high byte of other 16-bit samples and of the colour map's entries,
/// un-premultiplies associated alpha (`RGBa`) in 8 bits, and `convert_to_rgb` then composites alpha on white.
struct TIFFPixelLayout: Equatable {
    enum Color: Equatable {
        case gray, palette, rgb, cmyk
    }

    /// The extra sample right after the colour samples, as ExtraSamples gives it; later extra samples are unused.
    enum Alpha: Equatable {
        /// None, or unspecified data (ExtraSamples 0): ignored.
        case none
        /// Unassociated alpha (ExtraSamples 2), or a fourth RGB sample without ExtraSamples.
        case straight
        /// Associated alpha (ExtraSamples 1): the colour samples are premultiplied by it.
        case premultiplied
    }

    let color: Color
    let bitsPerSample: Int
    let samplesPerPixel: Int
    /// Min-is-white gray (photometric interpretation 0), inverted by Pillow.
    let isMinIsWhite: Bool
    /// Signed samples (SampleFormat 2): 8-bit ones are read as unsigned, 16-bit ones clipped as signed.
    let isSigned: Bool
    let alpha: Alpha

    /// Pillow's layout for these tag values, or nil where `OPEN_INFO` has no entry (or one left out here: 12- and
    /// 32-bit and floating-point samples, YCbCr, CIELab; premultiplied gray, which `convert_to_rgb` cannot convert).
    init?(
        photometric: Int, sampleFormat: Int, fillOrder: Int, bitsPerSample bits: Int, samplesPerPixel samples: Int,
        extraSamples extras: [Int], isBigEndian: Bool
    ) {
        let color: Color
        switch photometric {
        case 0, 1: color = .gray
        case 2: color = .rgb
        case 3: color = .palette
        case 5: color = .cmyk
        default: return nil
        }
        let colorSamples = [Color.rgb: 3, .cmyk: 4][color] ?? 1

        let alpha: Alpha
        if extras.isEmpty {
            // Pillow reads a fourth RGB sample without ExtraSamples as alpha.
            guard samples == colorSamples || (color == .rgb && samples == 4) else { return nil }
            alpha = samples == colorSamples ? .none : .straight
        } else {
            guard samples == colorSamples + extras.count, extras.dropFirst().allSatisfy({ $0 == 0 }),
                let first = [0: Alpha.none, 1: .premultiplied, 2: .straight][extras[0]]
            else { return nil }
            alpha = first
        }

        let isSingleSample = samples == 1
        switch (color, bits) {
        case (.gray, 1), (.gray, 2), (.gray, 4), (.palette, 1), (.palette, 2), (.palette, 4):
            guard isSingleSample else { return nil }
        case (.gray, 8):
            guard isSingleSample || (photometric == 1 && samples == 2 && alpha != .premultiplied) else { return nil }
        case (.gray, 16): guard isSingleSample, photometric == 1 || !isBigEndian else { return nil }
        case (.palette, 8): guard isSingleSample || (samples == 2 && alpha != .premultiplied) else { return nil }
        case (.rgb, 8): guard samples <= 6 else { return nil }
        case (.rgb, 16): guard samples <= 4 else { return nil }
        case (.cmyk, 8): guard samples <= 6, alpha == .none else { return nil }
        case (.cmyk, 16): guard samples == 4 else { return nil }
        default: return nil
        }
        // Signed samples only as 8- or 16-bit min-is-black gray; reversed bit order only for one sample of at most 8
        // bits, 16-bit little-endian gray and plain 8-bit RGB.
        let isSigned = sampleFormat == 2
        guard sampleFormat == 1 || (isSigned && photometric == 1 && bits >= 8 && isSingleSample && fillOrder == 1)
        else { return nil }
        let reversible = (isSingleSample && (bits <= 8 || (photometric == 1 && !isBigEndian)))
            || (color == .rgb && bits == 8 && samples == 3)
        guard fillOrder == 1 || (fillOrder == 2 && reversible) else { return nil }

        self.color = color
        bitsPerSample = bits
        samplesPerPixel = samples
        isMinIsWhite = photometric == 0
        self.isSigned = isSigned
        self.alpha = alpha
    }

    /// Bytes the samples of `pixels` pixels of one row take.
    func rowBytes(pixels: Int) -> Int {
        (pixels * samplesPerPixel * bitsPerSample + 7) / 8
    }

    /// Converts the first `count` pixels of `row` (decoded samples, 16-bit ones in native byte order) to RGB in
    /// `output`; `palette` holds the RGB of the 256 indices for palette images. `row` holds ``rowBytes(pixels:)``.
    func convert(
        _ row: UnsafeRawBufferPointer, count: Int, palette: [UInt8], into output: UnsafeMutableBufferPointer<UInt8>
    ) {
        let colorSamples = [Color.rgb: 3, .cmyk: 4][color] ?? 1
        let scale = bitsPerSample < 8 ? 255 / (1 << bitsPerSample - 1) : 1
        /// Sample `index` of the row: 8 bits as stored, a 16-bit one as its high byte unless `clipped` to 0–255 (Pillow's
        /// `I;16` and `I` → RGB), a narrower one as it is stored (an index, or a level scaled later).
        func sample(_ index: Int, clipped: Bool = false) -> Int {
            switch bitsPerSample {
            case 8: return Int(row[index])
            case 16:
                let stored = row.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)
                let value = isSigned ? Int(Int16(bitPattern: stored)) : Int(stored)
                return clipped ? min(max(value, 0), 255) : value >> 8
            default:
                let bitOffset = index * bitsPerSample
                return Int(row[bitOffset >> 3] >> (8 - bitsPerSample - bitOffset & 7)) & (1 << bitsPerSample - 1)
            }
        }
        for pixel in 0..<count {
            let first = pixel * samplesPerPixel
            var rgb: (Int, Int, Int)
            switch color {
            case .gray:
                var level = sample(first, clipped: true)
                if bitsPerSample < 16 {
                    level *= scale
                    if isMinIsWhite { level = 255 - level }
                }
                rgb = (level, level, level)
            case .palette:
                let index = 3 * sample(first)
                rgb = (Int(palette[index]), Int(palette[index + 1]), Int(palette[index + 2]))
            case .rgb:
                rgb = (sample(first), sample(first + 1), sample(first + 2))
            case .cmyk:
                let (red, green, blue) = PillowConversion.rgb(
                    cyan: UInt8(sample(first)), magenta: UInt8(sample(first + 1)), yellow: UInt8(sample(first + 2)),
                    black: UInt8(sample(first + 3)))
                rgb = (Int(red), Int(green), Int(blue))
            }
            if alpha != .none {
                let opacity = sample(first + colorSamples)
                if alpha == .premultiplied {
                    // Pillow's `unpackRGBa`: zero alpha clears the colour, full alpha keeps it, others divide.
                    func unpremultiplied(_ value: Int) -> Int {
                        opacity == 0 ? 0 : opacity == 255 ? value : min(255, value * 255 / opacity)
                    }
                    rgb = (unpremultiplied(rgb.0), unpremultiplied(rgb.1), unpremultiplied(rgb.2))
                }
                let alphaByte = UInt8(opacity)
                rgb = (Int(PillowConversion.compositeOnWhite(UInt8(rgb.0), alpha: alphaByte)),
                       Int(PillowConversion.compositeOnWhite(UInt8(rgb.1), alpha: alphaByte)),
                       Int(PillowConversion.compositeOnWhite(UInt8(rgb.2), alpha: alphaByte)))
            }
            (output[3 * pixel], output[3 * pixel + 1], output[3 * pixel + 2]) = (UInt8(rgb.0), UInt8(rgb.1), UInt8(rgb.2))
        }
    }
}
