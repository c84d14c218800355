import ArgumentParser
import Image2Text

/// The generation flags of `caption` and `ask`: one per ``GenerationOption``, named after it in kebab case, with its
/// summary as help. An omitted flag takes the checkpoint's `generation_config.json` value, else transformers 5.23's
/// default (greedy, up to 20 new tokens within the model's position table). The library checks the values, as it
/// checks the file's, and names the one at fault.
struct GenerationFlags: ParsableArguments {
    @Option(help: help("max_new_tokens", "N")) var maxNewTokens: Int?
    @Option(help: help("max_length", "N")) var maxLength: Int?
    @Option(help: help("min_new_tokens", "N")) var minNewTokens: Int?
    @Option(help: help("min_length", "N")) var minLength: Int?
    @Option(help: help("num_beams", "N")) var numBeams: Int?
    @Option(help: help("num_return_sequences", "N")) var numReturnSequences: Int?
    @Option(help: help("length_penalty", "X")) var lengthPenalty: Double?
    @Option(help: help("early_stopping", "MODE")) var earlyStopping: String?
    @Option(help: help("beam_scoring", "NAME")) var beamScoring: String?
    @Flag(help: "The GIT paper's decoding: beam search with 4 beams and the original repository's GNMT length penalty 0.6 (other flags override).")
    var paper = false
    @Flag(help: help("do_sample")) var doSample = false
    @Option(help: help("temperature", "T")) var temperature: Double?
    @Option(help: help("top_k", "K")) var topK: Int?
    @Option(help: help("top_p", "P")) var topP: Double?
    @Option(help: help("seed", "N")) var seed: UInt64?
    @Option(help: help("repetition_penalty", "X")) var repetitionPenalty: Double?
    @Option(help: help("no_repeat_ngram_size", "N")) var noRepeatNgramSize: Int?
    @Option(parsing: .singleValue, help: help("bad_words", "TEXT", "; repeat the flag for several")) var badWords: [String] = []

    /// Each flag's value by its option's name: the one table from flags to options.
    private var given: [(option: String, value: GenerationOption.Value?)] {
        [("max_new_tokens", maxNewTokens.map { .integer($0) }), ("max_length", maxLength.map { .integer($0) }),
         ("min_new_tokens", minNewTokens.map { .integer($0) }), ("min_length", minLength.map { .integer($0) }),
         ("num_beams", numBeams.map { .integer($0) }), ("num_return_sequences", numReturnSequences.map { .integer($0) }),
         ("length_penalty", lengthPenalty.map { .number($0) }), ("early_stopping", earlyStopping.map { .word($0) }),
         ("beam_scoring", beamScoring.map { .word($0) }), ("do_sample", doSample ? .flag(true) : nil),
         ("temperature", temperature.map { .number($0) }), ("top_k", topK.map { .integer($0) }), ("top_p", topP.map { .number($0) }),
         ("seed", seed.map { .unsigned($0) }), ("repetition_penalty", repetitionPenalty.map { .number($0) }),
         ("no_repeat_ngram_size", noRepeatNgramSize.map { .integer($0) }), ("bad_words", badWords.isEmpty ? nil : .texts(badWords))]
    }

    /// The options the flags give, with `--bad-words` tokenized by `tokenizer`.
    func options(tokenizer: BertTokenizer) throws -> GenerationOptions {
        var options = paper ? GenerationOptions.paper : GenerationOptions()
        for (name, value) in given {
            guard let value, let option = GenerationOption.named(name) else { continue }
            do {
                try option.set(value, in: &options) { tokenizer.encode($0, addSpecialTokens: false) }
            } catch {
                throw ValidationError("--\(Self.flag(option)): \(error.reason)")
            }
        }
        return options
    }

    /// `--kebab-case` of the option's front-end name.
    static func flag(_ option: GenerationOption) -> String {
        option.frontEndName.replacingOccurrences(of: "_", with: "-")
    }

    /// The help of the flag of option `name`: its summary and transformers' name.
    private static func help(_ name: String, _ valueName: String? = nil, _ note: String = "") -> ArgumentHelp {
        let option = GenerationOption.named(name)!
        let summary = option.summary.hasSuffix(".") ? String(option.summary.dropLast()) : option.summary
        return ArgumentHelp("\(summary) (\(option.name)\(note)).", valueName: valueName)
    }
}
