/// The character classes of tokenizers' BERT normalizer and pre-tokenizer
/// (huggingface/tokenizers `tokenizers/src/normalizers/bert.rs`, `pre_tokenizers/bert.rs`, version 0.23.3).
///
/// The reference asks the `unicode_categories` crate, whose Unicode data is older than the standard library's, so the
/// classes come from tables probed out of the reference (`BertCharacterTables.swift`) rather than from
/// `Unicode.Scalar.Properties`.
enum BertCharacters {
    /// U+0000, U+FFFD and the crate's Cc, Cf and Co scalars, except tab, line feed and carriage return.
    static func isRemovedByCleanText(_ scalar: Unicode.Scalar) -> Bool { contains(cleanTextRemoved, scalar) }

    /// Rust's `char::is_whitespace` (the Unicode White_Space property).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { contains(whitespace, scalar) }

    /// ASCII punctuation or the crate's P* categories.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool { contains(punctuation, scalar) }

    /// The crate's Mn category, for scalars that NFD leaves unchanged.
    static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool { contains(nonspacingMarks, scalar) }

    /// Scalars that the reference's NFD leaves unchanged although Foundation's decomposes them.
    static func isUndecomposed(_ scalar: Unicode.Scalar) -> Bool { contains(undecomposed, scalar) }

    /// The CJK ideograph blocks of `is_chinese_char` in `bert.rs` (note 0x2B920, where old Python code had 0x2B820).
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            true
        default:
            false
        }
    }

    /// The Rust regex class `\w` (Alphabetic, marks, decimal digits, connector punctuation, Join_Control), which
    /// decides whether a `single_word` added token stands alone.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    /// Binary search in sorted, non-overlapping ranges.
    private static func contains(_ ranges: [ClosedRange<UInt32>], _ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < ranges.count && ranges[low].contains(value)
    }
}
