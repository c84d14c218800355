import ArgumentParser
import Foundation
import Image2Text

/// `image2text ask IMAGE QUESTION`: an answer as transformers 5.23's
/// `generate(pixel_values, input_ids=[[CLS] + question ids], **options)` gives it.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question about an image.",
        discussion: """
            Prompts the model with [CLS] + the question's tokens (no [SEP]) and prints the generated answer (one line \
            per returned sequence), or with --json one object: {"input": IMAGE, "text": question and answer, \
            "ids": [...], "prompt_ids": [...], "answer": answer, "score": S} plus "sequences" with several return \
            sequences.

            Examples:
              image2text ask Fixtures/easyvqa/0.png "what shape is in the image?"
              image2text ask --json Fixtures/easyvqa/5.png "what color is the shape?"
              image2text ask --num-beams 3 --num-return-sequences 2 \\
                Fixtures/easyvqa/10.png "does the image contain a circle?"
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @OptionGroup var outputFlags: OutputFlags

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @Argument(help: ArgumentHelp("An image or video file (or a directory, pattern, .tar shard or -: the question is asked of each).", valueName: "INPUT"))
    var image: String

    @Argument(help: ArgumentHelp("The question, e.g. \"what color is the shape?\"", valueName: "QUESTION"))
    var question: String

    func validate() throws { try outputFlags.validate() }

    func run() async throws {
        let model = try modelOptions.load()
        _ = try model.questionPrompt(question)  // an empty question fails before any image work
        let inputs = try inputOptions.inputs([image])
        let runner = InputRunner(model: model, options: try generationFlags.options(tokenizer: model.tokenizer),
                                 json: outputFlags.json, stream: outputFlags.stream, input: inputOptions,
                                 labelled: inputs.count > 1)
        if try await runner.run(inputs.map { [($0, .generate(question: question))] }) > 0 { throw ExitCode.failure }
    }
}
