import ArgumentParser
import Foundation
import Image2TextHub

/// `-m/--model` and `--revision`: which checkpoint a subcommand reads (see ``ModelReference``).
struct ModelLocationOptions: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "The checkpoint: a Hugging Face Hub repository ORG/NAME, a folder in Hugging Face snapshot layout, or "
                + "`demo` (the small bundled model, offline).",
            discussion: "A repository is resolved through the huggingface_hub cache (HF_HOME, HF_HUB_CACHE), downloading "
                + "missing files once (HF_TOKEN, HF_ENDPOINT; none with HF_HUB_OFFLINE=1). "
                + "Defaults to $IMAGE2TEXT_MODEL, else \(ModelReference.defaultRepository), a captioning model. "
                + "`demo` always names the bundled model; write ./demo for a folder of that name.",
            valueName: "ORG/NAME|DIR|demo"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp(
        "Branch, tag or commit of a hub repository (default: main).", valueName: "REV"))
    var revision: String?

    func validate() throws {
        guard revision != nil else { return }
        guard case .hub = reference else {
            throw ValidationError("--revision needs --model ORG/NAME (a Hugging Face Hub repository)")
        }
    }

    /// What `--model`, else `$IMAGE2TEXT_MODEL`, else the default names.
    var reference: ModelReference {
        if let model { return ModelReference(model) }
        if let named = ProcessInfo.processInfo.environment["IMAGE2TEXT_MODEL"], !named.isEmpty { return ModelReference(named) }
        return .hub(HubRepositoryID(ModelReference.defaultRepository)!, isDefault: true)
    }

    /// The checkpoint folder, downloaded first if it is a hub repository not yet cached.
    func directory() throws -> URL {
        try reference.folder(revision: revision ?? "main")
    }
}
