import ArgumentParser
import Foundation
import Image2Text

/// `image2text classify IMAGE... --labels a,b,c`: classification by generation over a label trie.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify images by which label the model is most likely to generate.",
        discussion: """
            Scores every label as log P(label tokens, [SEP] | image, prompt) by decoding constrained to the labels' \
            token trie; the prompt is [CLS], or [CLS] + --question. Prints the best label (\"IMAGE: label\" per line \
            for several images), or with --json one object per image: {"input": IMAGE, "label": best, "ranking": \
            [{"label", "log_probability", "probability"}, ...], "timings": {...}} with probabilities normalised over the \
            labels.

            Examples:
              image2text classify --question "what shape is in the image?" \\
                --labels circle,rectangle,triangle Fixtures/easyvqa/0.png
              image2text classify --json --labels "a red triangle,a brown rectangle" \\
                Fixtures/easyvqa/0.png Fixtures/easyvqa/5.png
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: ArgumentHelp("Comma-separated labels.", valueName: "A,B,..."))
    var labels: String?

    @Option(name: .long, help: ArgumentHelp("A UTF-8 file with one label per line (blank lines are skipped).", valueName: "FILE"))
    var labelsFile: String?

    @Option(name: .long, help: ArgumentHelp("A question to prompt with, e.g. \"what shape is in the image?\"", valueName: "QUESTION"))
    var question: String?

    @Flag(help: "Print one JSON object per image and line.")
    var json = false

    @OptionGroup(title: "Input Options") var inputOptions: InputOptions

    @Argument(help: ArgumentHelp("Image or video files.", valueName: "INPUT"))
    var images: [String]

    func validate() throws {
        guard (labels == nil) != (labelsFile == nil) else { throw ValidationError("give either --labels or --labels-file") }
    }

    func run() async throws {
        let model = try modelOptions.load()
        let labelList = try readLabels()
        let inputs = try inputOptions.inputs(images)
        let runner = InputRunner(model: model, options: GenerationOptions(), json: json, input: inputOptions,
                                 labelled: inputs.count > 1)
        let task = TaskItem.Task.classify(labels: labelList, question: question)
        if try await runner.run(inputs.map { [($0, task)] }) > 0 { throw ExitCode.failure }
    }

    private func readLabels() throws -> [String] {
        if let labels {
            return labels.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let path = labelsFile!
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path: path, message: "file not found") }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(path: path, message: "not UTF-8 text") }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
