import Foundation

/// Port of tokenizers' `BertNormalizer` (`tokenizers/src/normalizers/bert.rs`, 0.23.3) with `clean_text` on, as
/// transformers' `BertTokenizer` always builds it. Steps, in the reference's order: clean text, space out CJK
/// ideographs, strip accents (NFD, then drop nonspacing marks), lowercase scalar by scalar.
struct BertNormalizer: Sendable, Equatable {
    var handleChineseCharacters: Bool
    var stripAccents: Bool
    var lowercase: Bool

    func normalize(_ text: some Collection<Unicode.Scalar>) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(text.count)
        for scalar in text {
            if BertCharacters.isRemovedByCleanText(scalar) { continue }
            if BertCharacters.isWhitespace(scalar) {
                output.append(" ")
            } else if handleChineseCharacters && BertCharacters.isChineseCharacter(scalar) {
                output += [" ", scalar, " "]
            } else {
                output.append(scalar)
            }
        }
        if stripAccents {
            output = Self.canonicalDecomposition(of: output).filter { !BertCharacters.isNonspacingMark($0) }
        }
        if lowercase {
            output = Self.lowercased(output)
        }
        return output
    }

    /// NFD through Foundation, except for the few scalars the reference's older tables do not decompose.
    private static func canonicalDecomposition(of scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        // Nothing below U+00C0 has a decomposition.
        guard scalars.contains(where: { $0.value >= 0xC0 }) else { return scalars }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        var run = String.UnicodeScalarView()
        func flush() {
            guard !run.isEmpty else { return }
            result += String(run).decomposedStringWithCanonicalMapping.unicodeScalars
            run = String.UnicodeScalarView()
        }
        for scalar in scalars {
            if BertCharacters.isUndecomposed(scalar) {
                flush()
                result.append(scalar)
            } else {
                run.append(scalar)
            }
        }
        flush()
        return result
    }

    /// Rust's `char::to_lowercase` per scalar: the full, context-free mapping ("İ" → "i̇", no final sigma).
    private static func lowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.isASCII {
                let value = scalar.value
                result.append((0x41...0x5A).contains(value) ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
            } else if scalar.properties.changesWhenLowercased {
                result += scalar.properties.lowercaseMapping.unicodeScalars
            } else {
                result.append(scalar)
            }
        }
        return result
    }
}
