import ArgumentParser
import Foundation
import Image2Text

/// `image2text ask IMAGE QUESTION`: a greedy answer, as transformers 5.23's
/// `generate(pixel_values, input_ids=[[CLS] + question ids])` gives it.
struct AskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question about an image.",
        discussion: """
            Prompts the model with [CLS] + the question's tokens (no [SEP]) and prints the generated answer, or with \
            --json one object: {"input": IMAGE, "text": question and answer, "ids": [...], "prompt_ids": [...], \
            "answer": answer}. Example: image2text ask Fixtures/easyvqa/0.png "what shape is in the image?"
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @Flag(help: "Print one JSON object instead of the answer.")
    var json = false

    @Argument(help: ArgumentHelp("A JPEG or PNG file.", valueName: "IMAGE"))
    var image: String

    @Argument(help: ArgumentHelp("The question, e.g. \"what color is the shape?\"", valueName: "QUESTION"))
    var question: String

    func run() throws {
        let model = try GITModel(directory: modelOptions.directory())
        _ = try model.questionPrompt(question)  // an empty question fails before any image work
        let result: GenerationResult
        do {
            let decoded = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: image))
            result = try model.answer(question, about: decoded, options: generationFlags.options)
        } catch where !GenerationOutput.concernsRequest(error) {
            throw GenerationOutput.imageProblem(error, path: image)
        }
        GenerationOutput.printLine(
            json ? try GenerationOutput.jsonLine(input: image, result: result, answer: true) : result.generatedText)
    }
}
