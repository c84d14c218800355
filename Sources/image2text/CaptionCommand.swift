import ArgumentParser
import Foundation
import Image2Text

/// `image2text caption IMAGE...`: greedy captions, as transformers 5.23's `generate(pixel_values)` gives them.
struct CaptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caption",
        abstract: "Caption images.",
        discussion: """
            Loads the model once, then captions each JPEG or PNG in order with greedy search from [CLS]. Prints the \
            caption alone for one image, "IMAGE: caption" per line for several, or with --json one object per line: \
            {"input": IMAGE, "text": caption, "ids": [...], "prompt_ids": [...]}. An image that cannot be read or \
            captioned prints "Error: IMAGE: problem" on stderr and the others still run; the exit status is then 1. \
            Example: image2text caption Fixtures/easyvqa/0.png
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Generation Options") var generationFlags: GenerationFlags

    @Flag(help: "Print one JSON object per image and line.")
    var json = false

    @Argument(help: ArgumentHelp("JPEG or PNG files.", valueName: "IMAGE"))
    var images: [String]

    func run() throws {
        let model = try GITModel(directory: modelOptions.directory())
        let options = generationFlags.options
        var failures = 0
        for path in images {
            let result: GenerationResult
            do {
                let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: path))
                result = try model.caption(image, options: options)
            } catch where GenerationOutput.concernsRequest(error) {
                throw error  // the same for every image: stop here
            } catch {
                GenerationOutput.printError(GenerationOutput.imageProblem(error, path: path).description)
                failures += 1
                continue
            }
            if json {
                GenerationOutput.printLine(try GenerationOutput.jsonLine(input: path, result: result))
            } else {
                GenerationOutput.printLine(images.count == 1 ? result.generatedText : "\(path): \(result.generatedText)")
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
