import ArgumentParser
import Image2Text

@main
struct Image2TextCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image2text",
        abstract: "Caption images and answer questions about them with GIT models, natively.",
        version: VersionReport.text,
        subcommands: [
            CaptionCommand.self, AskCommand.self, ClassifyCommand.self, ServeCommand.self, DownloadCommand.self,
            ModelsCommand.self, InspectCommand.self, ConvertCommand.self, BenchCommand.self, TokenizeCommand.self,
            DetokenizeCommand.self, PreprocessCommand.self,
        ]
    )
}
