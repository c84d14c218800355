/// One option of transformers' `generate()`, by its name there: what it means, the values it takes, and the field of
/// ``GenerationOptions`` that holds it. ``all`` is the one list that `generation_config.json`, the server's request
/// fields and OpenAPI document, and the CLI's flags are read by; their ranges are checked here, for all of them.
public struct GenerationOption: Sendable {
    /// The values an option takes.
    public enum Kind: Sendable, Equatable {
        /// A whole number in the range. Lengths have no upper bound: a limit past the position table is fine when
        /// generation stops earlier at [SEP], as in transformers, and nothing is sized beyond the table.
        case integer(ClosedRange<Int>)
        /// Any `UInt64` (`seed`).
        case seed
        case number(NumberRange)
        case flag
        /// One of these words; `early_stopping` also takes the booleans as "true" and "false".
        case choice([String])
        /// Lists of token ids in `generation_config.json`; words or phrases, tokenized, from the front ends.
        case tokenLists
    }

    /// A value given for an option, before its range is checked.
    public enum Value: Sendable, Equatable {
        case integer(Int)
        case unsigned(UInt64)
        case number(Double)
        case flag(Bool)
        case word(String)
        /// Words or phrases for ``Kind/tokenLists``, tokenized when set.
        case texts([String])
        case tokenLists([[Int]])
    }

    /// The field that holds the option.
    enum Field: Sendable {
        case integer(WritableKeyPath<GenerationOptions, Int?> & Sendable)
        case seed
        case number(WritableKeyPath<GenerationOptions, Double?> & Sendable)
        case flag(WritableKeyPath<GenerationOptions, Bool?> & Sendable)
        case earlyStopping
        case beamScoring
        case badWords
    }

    /// transformers' name: the `generation_config.json` key.
    public let name: String
    /// The name the CLI (as `--kebab-case`) and the server's fields give it, where it differs: `bad_words` takes text.
    public let frontEndName: String
    /// What it does, for `--help` and the OpenAPI document.
    public let summary: String
    public let kind: Kind
    /// Whether `generation_config.json` sets it; `seed` and `beam_scoring` are this library's, not transformers'.
    public let isConfigKey: Bool
    let field: Field

    init(_ name: String, _ field: Field, _ kind: Kind, frontEndName: String? = nil, isConfigKey: Bool = true, _ summary: String) {
        self.name = name
        self.field = field
        self.kind = kind
        self.frontEndName = frontEndName ?? name
        self.isConfigKey = isConfigKey
        self.summary = summary
    }

    /// The option named `name` (transformers' name or the front ends').
    public static func named(_ name: String) -> GenerationOption? {
        all.first { $0.name == name || $0.frontEndName == name }
    }

    /// The range of an ``Kind/integer(_:)`` option; nil for the other kinds.
    public var integerRange: ClosedRange<Int>? {
        if case .integer(let range) = kind { range } else { nil }
    }

    /// An option given a value of the wrong kind or outside its range: its name and why.
    public struct InvalidValue: Error, Equatable {
        public let name: String
        public let reason: String
    }

    /// Sets the option in `options`; its range is checked with the others (``GenerationOptions/checkRanges(vocabularySize:)``).
    /// - Parameter tokenize: turns a word or phrase into token ids, for ``Kind/tokenLists`` given as text.
    public func set(_ value: Value, in options: inout GenerationOptions, tokenize: (String) -> [Int] = { _ in [] }) throws(InvalidValue) {
        switch (field, value) {
        case (.integer(let keyPath), .integer(let number)): options[keyPath: keyPath] = number
        case (.seed, .unsigned(let number)): options.seed = number
        case (.seed, .integer(let number)) where number >= 0: options.seed = UInt64(number)
        case (.number(let keyPath), .number(let number)): options[keyPath: keyPath] = number
        case (.number(let keyPath), .integer(let number)): options[keyPath: keyPath] = Double(number)
        case (.flag(let keyPath), .flag(let flag)): options[keyPath: keyPath] = flag
        case (.earlyStopping, .flag(let flag)): options.earlyStopping = flag ? .whenComplete : .heuristic
        case (.earlyStopping, .word(let word)):
            guard let value = GenerationOptions.EarlyStopping(rawValue: word.lowercased()) else { throw wrongKind }
            options.earlyStopping = value
        case (.beamScoring, .word(let word)):
            guard let value = GenerationOptions.BeamScoring(rawValue: word.lowercased()) else { throw wrongKind }
            options.beamScoring = value
        case (.badWords, .texts(let texts)): options.badWordsIds = texts.map(tokenize)
        case (.badWords, .tokenLists(let lists)): options.badWordsIds = lists
        default: throw wrongKind
        }
    }

    /// The option's value in `options`, nil when unset (`early_stopping` as its word, `bad_words` as token id lists).
    public func value(in options: GenerationOptions) -> Value? {
        switch field {
        case .integer(let keyPath): options[keyPath: keyPath].map { .integer($0) }
        case .seed: options.seed.map { .unsigned($0) }
        case .number(let keyPath): options[keyPath: keyPath].map { .number($0) }
        case .flag(let keyPath): options[keyPath: keyPath].map { .flag($0) }
        case .earlyStopping: options.earlyStopping.map { .word($0.rawValue) }
        case .beamScoring: options.beamScoring.map { .word($0.rawValue) }
        case .badWords: options.badWordsIds.map { .tokenLists($0) }
        }
    }

    /// Whether the option is set in `options`.
    func isSet(in options: GenerationOptions) -> Bool {
        switch field {
        case .integer(let keyPath): options[keyPath: keyPath] != nil
        case .seed: options.seed != nil
        case .number(let keyPath): options[keyPath: keyPath] != nil
        case .flag(let keyPath): options[keyPath: keyPath] != nil
        case .earlyStopping: options.earlyStopping != nil
        case .beamScoring: options.beamScoring != nil
        case .badWords: options.badWordsIds != nil
        }
    }

    /// Copies the option's value from `source` into `options`.
    func copy(from source: GenerationOptions, into options: inout GenerationOptions) {
        switch field {
        case .integer(let keyPath): options[keyPath: keyPath] = source[keyPath: keyPath]
        case .seed: options.seed = source.seed
        case .number(let keyPath): options[keyPath: keyPath] = source[keyPath: keyPath]
        case .flag(let keyPath): options[keyPath: keyPath] = source[keyPath: keyPath]
        case .earlyStopping: options.earlyStopping = source.earlyStopping
        case .beamScoring: options.beamScoring = source.beamScoring
        case .badWords: options.badWordsIds = source.badWordsIds
        }
    }

    /// Throws when the option's value in `options` is outside its range.
    func checkRange(in options: GenerationOptions, vocabularySize: Int) throws(InvalidValue) {
        switch (field, kind) {
        case (.integer(let keyPath), .integer(let range)):
            guard let value = options[keyPath: keyPath], !range.contains(value) else { return }
            let expectation = range.upperBound < Int.max ? "must be \(range.lowerBound) to \(range.upperBound)"
                : range.lowerBound == 0 ? "must not be negative" : "must be at least \(range.lowerBound)"
            throw InvalidValue(name: name, reason: "\(expectation), got \(value)")
        case (.number(let keyPath), .number(let range)):
            guard let value = options[keyPath: keyPath], !range.contains(value) else { return }
            throw InvalidValue(name: name, reason: "\(range.expectation), got \(value)")
        case (.badWords, _):
            guard let lists = options.badWordsIds else { return }
            guard !lists.isEmpty, lists.allSatisfy({ !$0.isEmpty }) else {
                throw InvalidValue(name: name, reason: "must be a non-empty list of non-empty token id lists")
            }
            if let bad = lists.joined().first(where: { !(0..<vocabularySize).contains($0) }) {
                throw InvalidValue(name: name, reason: "id \(bad) is outside the vocabulary of \(vocabularySize)")
            }
        default: return
        }
    }

    private var wrongKind: InvalidValue {
        let expectation = switch kind {
        case .integer(let range): "an integer from \(range.lowerBound)"
            + (range.upperBound < Int.max ? " to \(range.upperBound)" : "")
        case .seed: "an integer from 0 to \(UInt64.max)"
        case .number: "a number"
        case .flag: "true or false"
        case .choice(let words): words.map { "\"\($0)\"" }.joined(separator: ", ")
        case .tokenLists: "a list of token id lists"
        }
        return InvalidValue(name: name, reason: "must be \(expectation)")
    }
}
