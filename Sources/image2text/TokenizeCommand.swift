import ArgumentParser
import Foundation
import Image2Text

/// `image2text tokenize`: the token ids (and tokens) of a text, as transformers' `BertTokenizer` gives them.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text.",
        discussion: """
            Ids as transformers 5.23's BertTokenizer gives them, with [CLS] … [SEP] unless --no-special-tokens.

            Examples:
              image2text tokenize "what shape is in the image?"
              image2text tokenize --vocab Fixtures/vocab/bert-base-uncased-vocab.txt \\
                --json "Héllo wörld!"
              image2text tokenize --no-special-tokens "a red triangle"
            """)

    @OptionGroup var tokenizerOptions: TokenizerOptions

    @Flag(name: .long, help: "Print one JSON line {\"ids\": [...], \"tokens\": [...]}.")
    var json = false

    @Flag(name: .customLong("no-special-tokens"), help: "Leave out [CLS] and [SEP].")
    var noSpecialTokens = false

    @Argument(help: "The text to tokenize.")
    var text: String

    func run() throws {
        let tokenizer = try tokenizerOptions.tokenizer()
        let ids = tokenizer.encode(text, addSpecialTokens: !noSpecialTokens)
        guard json else {
            print(ids.map(String.init).joined(separator: " "))
            return
        }
        struct Output: Encodable {
            let ids: [Int]
            let tokens: [String]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let output = Output(ids: ids, tokens: tokenizer.tokenize(text, addSpecialTokens: !noSpecialTokens))
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}
