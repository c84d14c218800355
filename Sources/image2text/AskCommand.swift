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
            shards, -), with the same dataset options (--output, --output-dir, --shard, --batch-size, …); or with \
            --questions FILE (JSON Lines or CSV rows of image or key, and question), each input encoded once for all \
            its questions, one record per question.

            Examples:
              image2text ask Fixtures/easyvqa/0.png "what shape is in the image?"
              image2text ask --json Fixtures/easyvqa/5.png "what color is the shape?"
              image2text ask -q "what color is the shape?" -o answers.jsonl Fixtures/easyvqa
              image2text ask --questions questions.jsonl -o answers.jsonl Fixtures/easyvqa
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

    @Option(name: .long, help: ArgumentHelp(
        "Questions about the inputs, one per row: JSON Lines {\"image\"|\"key\": ..., \"question\": ...} or CSV with those columns.",
        discussion: "Each input is read and encoded once for all its questions and gets one record per question; inputs "
            + "without a row are not run. image is a path from the working directory; key an input's key or a sample's __key__.",
        valueName: "FILE"))
    var questions: String?

    @Argument(help: ArgumentHelp(
        "Image or video files, directories, glob patterns, brace expressions, .tar/.tar.gz shards, or - for standard input; without --question or --questions, one INPUT then the QUESTION.",
        valueName: "INPUT"))
    var arguments: [String] = []

    func validate() throws {
        if question != nil && questions != nil { throw ValidationError("give --question or --questions, not both") }
        try DatasetRun.validate(dataset: datasetOptions, input: inputOptions, stream: outputFlags.stream,
                                arguments: question == nil && questions == nil ? Array(arguments.prefix(1)) : arguments)
        guard question == nil && questions == nil else { return }
        guard arguments.count == 2 else {
            throw ValidationError(arguments.count < 2 ? "no question: give ask INPUT QUESTION, or ask --question QUESTION INPUT..."
                : "\(arguments.count) arguments and no --question: to ask about several inputs, give the question with --question (-q)")
        }
        if FileManager.default.fileExists(atPath: arguments[1]) {
            throw ValidationError("'\(arguments[1])' is a file, not a question: to ask about several inputs, give the question with --question (-q)")
        }
    }

    func run() async throws {
        let (inputs, asked): ([String], DatasetRun.Questions) = if let questions { (arguments, .file(questions)) }
            else if let question { (arguments, .fixed(question)) } else { ([arguments[0]], .fixed(arguments[1])) }
        let task = DatasetRun.Task(kind: .ask) { .generate(question: $0) }
        try await DatasetRun(modelOptions: modelOptions, dataset: datasetOptions, input: inputOptions, json: outputFlags.json,
                             stream: outputFlags.stream)
            .run(inputs, task: task, questions: asked) { try generationFlags.options(tokenizer: $0.tokenizer) }
    }
}
