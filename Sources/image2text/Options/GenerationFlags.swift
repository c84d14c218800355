import ArgumentParser
import Image2Text

/// Generation length flags with transformers' `generate()` names, shared by `caption` and `ask`. An omitted flag takes
/// the checkpoint's `generation_config.json` value, else transformers 5.23's default (up to 20 new tokens, within the
/// model's position table). The library checks the values and names the one at fault.
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

    var options: GenerationOptions {
        GenerationOptions(maxNewTokens: maxNewTokens, maxLength: maxLength, minNewTokens: minNewTokens, minLength: minLength)
    }
}
