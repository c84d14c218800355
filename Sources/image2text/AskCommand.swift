import ArgumentParser
import Foundation
import Image2Text

/// `image2text ask IMAGE QUESTION` or `ask --question QUESTION INPUT...`: answers as transformers 5.23's
/// `generate(pixel_values, input_ids=[[CLS] + question ids], **options)` gives them.
struct AskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question about images.",
        discussion: """
            Prompts the model with [CLS] + the question's tokens (no [SEP]) and prints the generated answer (one line \
            per returned sequence; "INPUT: answer" for several inputs), or with --json one object per input: \
            {"input": INPUT, "text": question and answer, "ids": [...], "prompt_ids": [...], "answer": answer, \
            "score": S} plus "sequences" with several return sequences. The question comes after one input, or with \
            --question before any number of inputs, which are read as caption reads them (directories, patterns, \
            .tar shards, -), with the same dataset options (--output, --output-dir, --shard, --batch-size).

            Examples:
              image2text ask Fixtures/easyvqa/0.png "what shape is in the image?"
              image2text ask --json Fixtures/easyvqa/5.png "what color is the shape?"
              image2text ask -q "what color is the shape?" -o answers.jsonl Fixtures/easyvqa
              image2text ask --num-beams 3 --num-return-sequences 2 \\
                Fixtures/easyvqa/10.png "does the image contain a circle?"
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @OptionGroup var outputFlags: OutputFlags

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @OptionGroup(title: "Dataset Options") var datasetOptions: DatasetOptions

    @Option(name: [.long, .short], help: ArgumentHelp(
        "The question asked of every input, e.g. \"what color is the shape?\"", valueName: "QUESTION"))
    var question: String?

    @Argument(help: ArgumentHelp(
        "Image or video files, directories, glob patterns, .tar shards, or - for standard input; without --question, one INPUT then the QUESTION.",
        valueName: "INPUT"))
    var arguments: [String]

    func validate() throws {
        try DatasetRun.validate(dataset: datasetOptions, input: inputOptions, stream: outputFlags.stream)
        guard question == nil else { return }
        guard arguments.count == 2 else {
            throw ValidationError(arguments.count < 2 ? "no question: give ask INPUT QUESTION, or ask --question QUESTION INPUT..."
                : "\(arguments.count) arguments and no --question: to ask about several inputs, give the question with --question (-q)")
        }
        if FileManager.default.fileExists(atPath: arguments[1]) {
            throw ValidationError("'\(arguments[1])' is a file, not a question: to ask about several inputs, give the question with --question (-q)")
        }
    }

    func run() async throws {
        let (inputs, asked) = question.map { (arguments, $0) } ?? ([arguments[0]], arguments[1])
        try await DatasetRun(modelOptions: modelOptions, dataset: datasetOptions, input: inputOptions, json: outputFlags.json,
                             stream: outputFlags.stream)
            .run(inputs, task: .generate(question: asked)) { try generationFlags.options(tokenizer: $0.tokenizer) }
    }
}
