import ArgumentParser
import Image2Text

/// `image2text detokenize`: the text of token ids, as transformers' `decode` gives it.
struct DetokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detokenize",
        abstract: "Print the text of token ids.",
        discussion: """
            Decodes as transformers 5.23's BertTokenizer: WordPiece pieces joined, no space before . , ? !

            Examples:
              image2text detokenize 2 6 24 29 3
              image2text detokenize --skip-special-tokens \\
                --vocab Fixtures/vocab/bert-base-uncased-vocab.txt 101 7592 2088 999 102
            """)

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Flag(name: .long, help: "Leave out special tokens ([CLS], [SEP], [PAD], [MASK] and [UNK]).")
    var skipSpecialTokens = false

    @Argument(help: ArgumentHelp("Token ids (at least one).", valueName: "ID"))
    var ids: [Int]

    func run() throws {
        print(try tokenizerOptions.tokenizer().decode(ids, skipSpecialTokens: skipSpecialTokens))
    }
}
