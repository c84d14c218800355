import ArgumentParser
import Foundation
import Image2Text

/// `--model` or `--vocab FILE`: where `tokenize` and `detokenize` find their tokenizer.
struct TokenizerOptions: ParsableArguments {
    @OptionGroup var location: ModelLocationOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A vocab.txt (one token per line) to use instead of a checkpoint folder.", valueName: "FILE"))
    var vocab: String?

    func validate() throws {
        if vocab != nil && location.model != nil {
            throw ValidationError("pass either --model or --vocab, not both")
        }
    }

    /// The tokenizer of `--vocab`, else of the checkpoint folder. Its errors are one-line descriptions naming the file,
    /// which ArgumentParser prints as "Error: …" before exiting with status 1.
    func tokenizer() throws -> BertTokenizer {
        if let vocab { return try BertTokenizer(vocabularyFile: URL(fileURLWithPath: vocab)) }
        return try BertTokenizer(directory: location.directory())
    }
}
