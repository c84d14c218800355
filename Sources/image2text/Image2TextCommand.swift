import ArgumentParser
import Image2Text

@main
struct Image2TextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image2text",
        abstract: "Caption images and answer questions about them with GIT models, natively.",
        subcommands: [
            CaptionCommand.self, AskCommand.self, ClassifyCommand.self, BenchCommand.self, ConvertCommand.self, TokenizeCommand.self, DetokenizeCommand.self, PreprocessCommand.self,
            InspectCommand.self, ServeCommand.self,
        ]
    )
}
