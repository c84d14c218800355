import ArgumentParser
import Foundation
import Image2Text
import Image2TextDatasets

/// `image2text classify IMAGE... --labels a,b,c`: classification by generation over a label trie.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify images by which label the model is most likely to generate.",
        discussion: """
            Scores every label as log P(label tokens, [SEP] | image, prompt) by decoding constrained to the labels' \
            token trie; the prompt is [CLS], or [CLS] + --question. Prints the best label (\"INPUT: label\" per line \
            for several inputs), or with --json one object per input: {"input": INPUT, "label": best, "ranking": \
            [{"label", "log_probability", "probability"}, ...], "timings": {...}} with probabilities normalised over the \
            labels. Inputs are read as caption reads them (directories, patterns, shards, -), with the same \
            dataset options (--output, --output-dir, --shard, --batch-size, …); --questions FILE prompts each input \
            with its rows' questions (as ask --questions reads them), one record per question.

            Examples:
              image2text classify --question "what shape is in the image?" \\
                --labels circle,rectangle,triangle Fixtures/easyvqa/0.png
              image2text classify --json --labels "a red triangle,a brown rectangle" \\
                Fixtures/easyvqa/0.png Fixtures/easyvqa/5.png
              image2text classify -q "what shape is in the image?" --labels circle,rectangle,triangle \\
                -o labels.jsonl Fixtures/easyvqa
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Comma-separated labels (spaces around each are dropped).", valueName: "A,B,..."))
    var labels: String?

    @Option(name: .long, help: ArgumentHelp("A UTF-8 file with one label per line (blank lines are skipped).", valueName: "FILE"))
    var labelsFile: String?

    @Option(name: [.long, .short], help: ArgumentHelp("A question to prompt with, e.g. \"what shape is in the image?\"", valueName: "QUESTION"))
    var question: String?

    @Option(name: .long, help: ArgumentHelp(
        "Questions to prompt with, one per row: JSON Lines {\"image\"|\"key\": ..., \"question\": ...} or CSV with those columns (as ask --questions reads them).",
        valueName: "FILE"))
    var questions: String?

    @Flag(help: "Print one JSON object per input and line.")
    var json = false

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @OptionGroup(title: "Dataset Options") var datasetOptions: DatasetOptions

    @Argument(help: ArgumentHelp("Image or video files, directories, glob patterns, brace expressions, .tar or .tar.gz shards, or - for standard input.", valueName: "INPUT"))
    var images: [String] = []

    func validate() throws {
        guard (labels == nil) != (labelsFile == nil) else { throw ValidationError("give either --labels or --labels-file") }
        if question != nil && questions != nil { throw ValidationError("give --question or --questions, not both") }
        try DatasetRun.validate(dataset: datasetOptions, input: inputOptions, stream: false, arguments: images)
    }

    func run() async throws {
        let labels = try readLabels()
        let task = DatasetRun.Task(kind: .classify, make: { .classify(labels: labels, question: $0) }, labels: labels)
        let asked: DatasetRun.Questions = if let questions { .file(questions) } else if let question { .fixed(question) } else { .none }
        try await DatasetRun(modelOptions: modelOptions, dataset: datasetOptions, input: inputOptions, json: json)
            .run(images, task: task, questions: asked)
    }

    private func readLabels() throws -> [String] {
        if let labels { return LabelList.commaSeparated(labels) }
        let path = labelsFile!
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path: path, message: "file not found") }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(path: path, message: "not UTF-8 text") }
        return LabelList.lines(text)
    }
}
