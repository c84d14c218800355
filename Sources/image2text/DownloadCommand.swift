import ArgumentParser
import Foundation
import Image2TextHub

/// `image2text download ORG/NAME`: a hub repository into the huggingface_hub cache, without running it.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a model from the Hugging Face Hub into the huggingface_hub cache.",
        discussion: """
            Fetches the files a model needs (as --model ORG/NAME would) and prints the snapshot folder. Later runs \
            use the cache, offline too (HF_HUB_OFFLINE=1). Variables: HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN.

            Examples:
              image2text download
              image2text download microsoft/git-base-vqav2 --revision main
            """)

    @Argument(help: ArgumentHelp("The repository (default: \(ModelReference.defaultRepository)).", valueName: "ORG/NAME"))
    var repository: String = ModelReference.defaultRepository

    @Option(name: .long, help: ArgumentHelp("Branch, tag or commit (default: main).", valueName: "REV"))
    var revision = "main"

    func validate() throws {
        guard HubRepositoryID(repository) != nil else {
            throw ValidationError("\(repository) is not a Hugging Face Hub repository id ORG/NAME")
        }
    }

    func run() throws {
        let client = HubClient(environment: try HubEnvironment())
        print(try HubModelResolver.snapshot(of: HubRepositoryID(repository)!, revision: revision, client: client).path)
    }
}
