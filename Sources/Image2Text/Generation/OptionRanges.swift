/// The values each generation option may take on its own, checked in this one place for ``GenerationOptions`` (and so
/// the CLI's flags and the server's fields) and for `generation_config.json`. How options combine, and the lengths
/// against a prompt, are checked by ``DecodingSettings`` and ``LengthLimits``.
extension GenerationOptions {
    /// Most beams (`num_beams`) and returned sequences (`num_return_sequences`) per prompt. Each is a decoder row at
    /// every step with a text cache of its own; transformers has no such cap.
    public static let maximumSequences = 256

    /// The range of an integer option, by its transformers name (nil for a name that is not one). Lengths have no
    /// upper bound: a limit past the position table is fine when generation stops earlier at [SEP], as in
    /// transformers, and nothing is sized beyond the table. `top_k` and `no_repeat_ngram_size` past the vocabulary
    /// or the table act as at their edge.
    public static func range(of name: String) -> ClosedRange<Int>? {
        integerOptions.first { $0.name == name }?.range
    }

    private static var integerOptions: [(name: String, value: KeyPath<GenerationOptions, Int?>, range: ClosedRange<Int>)] {
        [("max_new_tokens", \.maxNewTokens, 1...Int.max), ("max_length", \.maxLength, 1...Int.max),
         ("min_new_tokens", \.minNewTokens, 0...Int.max), ("min_length", \.minLength, 0...Int.max),
         ("num_beams", \.numBeams, 1...maximumSequences), ("num_return_sequences", \.numReturnSequences, 1...maximumSequences),
         ("top_k", \.topK, 0...Int.max), ("no_repeat_ngram_size", \.noRepeatNgramSize, 0...Int.max)]
    }

    /// How a floating-point option is checked. Subnormal, infinite and NaN values are refused for every one: they
    /// turn scores into zeros, infinities or NaN (a temperature of 1e-320 is 0 in float32).
    private enum FloatRange {
        /// Positive and normal in float32, the type scores are computed in (`temperature`, `repetition_penalty`).
        case positiveFloat32
        /// In (0, 1] (`top_p`).
        case probability
        /// Any finite value that is zero or normal (`length_penalty`, an exponent).
        case exponent

        func contains(_ value: Double) -> Bool {
            switch self {
            case .positiveFloat32: value >= Double(Float.leastNormalMagnitude) && value <= Double(Float.greatestFiniteMagnitude)
            case .probability: value.isNormal && value > 0 && value <= 1
            case .exponent: value == 0 || value.isNormal
            }
        }

        var expectation: String {
            switch self {
            case .positiveFloat32: "must be a positive number from \(Float.leastNormalMagnitude) to \(Float.greatestFiniteMagnitude)"
            case .probability: "must be in (0, 1], and not subnormal"
            case .exponent: "must be a finite number, zero or not subnormal"
            }
        }
    }

    private static var floatOptions: [(name: String, value: KeyPath<GenerationOptions, Double?>, range: FloatRange)] {
        [("temperature", \.temperature, .positiveFloat32), ("top_p", \.topP, .probability),
         ("repetition_penalty", \.repetitionPenalty, .positiveFloat32), ("length_penalty", \.lengthPenalty, .exponent)]
    }

    /// Throws for the first option set to a value outside its own range.
    func checkRanges(vocabularySize: Int) throws(OptionRangeError) {
        for (name, keyPath, range) in Self.integerOptions {
            guard let value = self[keyPath: keyPath], !range.contains(value) else { continue }
            let reason = range.upperBound < Int.max ? "must be \(range.lowerBound) to \(range.upperBound)"
                : range.lowerBound == 0 ? "must not be negative" : "must be at least \(range.lowerBound)"
            throw OptionRangeError(name: name, reason: "\(reason), got \(value)")
        }
        for (name, keyPath, range) in Self.floatOptions {
            guard let value = self[keyPath: keyPath], !range.contains(value) else { continue }
            throw OptionRangeError(name: name, reason: "\(range.expectation), got \(value)")
        }
        if let badWordsIds {
            guard !badWordsIds.isEmpty, badWordsIds.allSatisfy({ !$0.isEmpty }) else {
                throw OptionRangeError(name: "bad_words_ids", reason: "must be a non-empty list of non-empty token id lists")
            }
            if let bad = badWordsIds.joined().first(where: { !(0..<vocabularySize).contains($0) }) {
                throw OptionRangeError(name: "bad_words_ids", reason: "id \(bad) is outside the vocabulary of \(vocabularySize)")
            }
        }
    }

    /// These options, with those not set taken from `defaults`.
    func overriding(_ defaults: GenerationOptions) -> GenerationOptions {
        GenerationOptions(
            maxNewTokens: maxNewTokens ?? defaults.maxNewTokens, maxLength: maxLength ?? defaults.maxLength,
            minNewTokens: minNewTokens ?? defaults.minNewTokens, minLength: minLength ?? defaults.minLength,
            numBeams: numBeams ?? defaults.numBeams, numReturnSequences: numReturnSequences ?? defaults.numReturnSequences,
            lengthPenalty: lengthPenalty ?? defaults.lengthPenalty, earlyStopping: earlyStopping ?? defaults.earlyStopping,
            beamScoring: beamScoring ?? defaults.beamScoring, doSample: doSample ?? defaults.doSample,
            temperature: temperature ?? defaults.temperature, topK: topK ?? defaults.topK, topP: topP ?? defaults.topP,
            seed: seed ?? defaults.seed, repetitionPenalty: repetitionPenalty ?? defaults.repetitionPenalty,
            noRepeatNgramSize: noRepeatNgramSize ?? defaults.noRepeatNgramSize, badWordsIds: badWordsIds ?? defaults.badWordsIds)
    }
}

/// An option outside its range: its transformers name (the `generation_config.json` key) and why.
struct OptionRangeError: Error {
    let name: String
    let reason: String
}
