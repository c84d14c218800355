import ArgumentParser
import Image2Text

/// Generation flags with transformers' `generate()` names, shared by `caption` and `ask`. An omitted flag takes the
/// checkpoint's `generation_config.json` value, else transformers 5.23's default (greedy, up to 20 new tokens within
/// the model's position table). The library checks the values, as it checks the file's, and names the one at fault.
struct GenerationFlags: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Most tokens to generate after the prompt (max_new_tokens; wins over --max-length).", valueName: "N"))
    var maxNewTokens: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Most tokens in the whole sequence, prompt included (max_length).", valueName: "N"))
    var maxLength: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Fewest tokens to generate before the end-of-sequence token is allowed (min_new_tokens).", valueName: "N"))
    var minNewTokens: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Fewest tokens in the whole sequence before the end-of-sequence token is allowed (min_length).", valueName: "N"))
    var minLength: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Beam search with N beams (num_beams; 1 = greedy or sampling; at most \(GenerationOptions.maximumSequences)).", valueName: "N"))
    var numBeams: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Sequences to return per input (num_return_sequences; at most --num-beams, or up to \(GenerationOptions.maximumSequences) with --do-sample).",
        valueName: "N"))
    var numReturnSequences: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Exponent of the generated length dividing a beam's log-probability (length_penalty).", valueName: "X"))
    var lengthPenalty: Double?

    @Option(name: .long, help: ArgumentHelp(
        "When beam search stops (early_stopping): true, false or never.", valueName: "MODE"))
    var earlyStopping: EarlyStoppingFlag?

    @Flag(name: .long, help: "The GIT paper's decoding: beam search with 4 beams and the original repository's GNMT length penalty 0.6 (other flags override).")
    var paper = false

    @Flag(name: .long, help: "Sample each token instead of taking the most likely one (do_sample).")
    var doSample = false

    @Option(name: .long, help: ArgumentHelp("Divides the logits before sampling (temperature, > 0).", valueName: "T"))
    var temperature: Double?

    @Option(name: .long, help: ArgumentHelp("Sample among the K most likely tokens (top_k; 0 = all).", valueName: "K"))
    var topK: Int?

    @Option(name: .long, help: ArgumentHelp("Sample within the most likely tokens of total probability P (top_p, in (0, 1]).", valueName: "P"))
    var topP: Double?

    @Option(name: .long, help: ArgumentHelp("Seed of the sampler; the same seed gives the same samples.", valueName: "N"))
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp(
        "Penalise tokens already in the sequence, prompt included (repetition_penalty, > 0; 1 = none).", valueName: "X"))
    var repetitionPenalty: Double?

    @Option(name: .long, help: ArgumentHelp("Never repeat an n-gram of this size (no_repeat_ngram_size).", valueName: "N"))
    var noRepeatNgramSize: Int?

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Words or phrases never to generate (bad_words_ids after tokenizing); repeat the flag for several.", valueName: "TEXT"))
    var badWords: [String] = []

    /// The options, with `--bad-words` tokenized by `tokenizer`.
    func options(tokenizer: BertTokenizer) -> GenerationOptions {
        var options = paper ? GenerationOptions.paper : GenerationOptions()
        options.maxNewTokens = maxNewTokens
        options.maxLength = maxLength
        options.minNewTokens = minNewTokens
        options.minLength = minLength
        options.numBeams = numBeams ?? options.numBeams
        options.numReturnSequences = numReturnSequences
        options.lengthPenalty = lengthPenalty ?? options.lengthPenalty
        options.earlyStopping = earlyStopping?.value
        options.doSample = doSample ? true : nil
        options.temperature = temperature
        options.topK = topK
        options.topP = topP
        options.seed = seed
        options.repetitionPenalty = repetitionPenalty
        options.noRepeatNgramSize = noRepeatNgramSize
        if !badWords.isEmpty { options.badWordsIds = badWords.map { tokenizer.encode($0, addSpecialTokens: false) } }
        return options
    }
}

/// `--early-stopping true|false|never`.
struct EarlyStoppingFlag: ExpressibleByArgument {
    let value: GenerationOptions.EarlyStopping

    init?(argument: String) {
        guard let value = GenerationOptions.EarlyStopping(rawValue: argument.lowercased()) else { return nil }
        self.value = value
    }
}
