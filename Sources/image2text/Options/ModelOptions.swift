import ArgumentParser
import Foundation
import Image2Text
import Image2TextHub
import Image2TextKernels
import Image2TextSupport

/// `--model DIR|ORG/NAME`, `--revision REV`, `--threads N`, `--dtype TYPE` and `--image-size N`, shared by every
/// subcommand that reads a checkpoint folder.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Checkpoint folder in Hugging Face snapshot layout (config.json, model.safetensors, tokenizer and processor files), "
                + "or a Hugging Face Hub repository ORG/NAME.",
            discussion: "A repository is resolved through the huggingface_hub cache (HF_HOME, HF_HUB_CACHE), downloading "
                + "missing files (HF_TOKEN, HF_ENDPOINT; none with HF_HUB_OFFLINE=1). "
                + "Defaults to $IMAGE2TEXT_MODEL, else the bundled demo model Models/git-tiny-easyvqa of this repository.",
            valueName: "DIR|ORG/NAME"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp(
        "Branch, tag or commit of a hub repository given as --model ORG/NAME (default: main).", valueName: "REV"))
    var revision: String?

    @Option(name: .long, help: ArgumentHelp("Threads for matrix products (default: all cores).", valueName: "N"))
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Hold weight matrices as f32, f16, bf16 or int8 (converted at load; default: as stored).",
        discussion: "Reduced types compute in float32 from fewer weight bytes: faster decoding, less memory, a small accuracy cost.",
        valueName: "TYPE"))
    var dtype: WeightType?

    @Option(name: .long, help: ArgumentHelp(
        "Resize the shortest edge to N pixels and centre-crop N×N (default: the checkpoint's processor settings).",
        discussion: "A size other than the checkpoint's vision_config.image_size interpolates the position embeddings "
            + "(bicubic), as transformers does with interpolate_pos_encoding=True.",
        valueName: "N"))
    var imageSize: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let imageSize, imageSize < 1 { throw ValidationError("--image-size must be at least 1") }
        if revision != nil, model.flatMap(Self.hubRepository) == nil {
            throw ValidationError("--revision needs --model ORG/NAME (a Hugging Face Hub repository)")
        }
    }

    /// Sets the thread count and loads the model.
    func load() throws -> GITModel {
        applyThreadCount()
        return try GITModel(directory: directory(), weightType: dtype, imageSize: imageSize)
    }

    /// The checkpoint's image-processor settings, resized by `--image-size` if given.
    func imageProcessorConfiguration() throws -> ImageProcessorConfiguration {
        let configuration = try ImageProcessorConfiguration.load(directory: directory())
        return try imageSize.map { try configuration.resized(toShortestEdge: $0) } ?? configuration
    }

    /// Sets `--threads` for the kernels and BLAS, if given.
    func applyThreadCount() {
        if let threads { KernelThreads.set(threads) }
    }

    /// The folder to load: `--model`, else `$IMAGE2TEXT_MODEL`, else the demo model next to the build folder.
    func directory() throws -> URL {
        if let model { return try Self.folder(model, revision: revision) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["IMAGE2TEXT_MODEL"], !fromEnvironment.isEmpty {
            return try Self.folder(fromEnvironment, revision: nil)
        }
        // The executable lives in <repo>/.build/<config>/image2text; the demo model in <repo>/Models/.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("Models/git-tiny-easyvqa")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(CheckpointFileNames.configuration).path) {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        throw ValidationError("no model given: pass --model DIR or set IMAGE2TEXT_MODEL")
    }

    /// A local folder as given, or the hub snapshot of a repository id (see ``hubRepository(_:)``).
    private static func folder(_ model: String, revision: String?) throws -> URL {
        guard let repository = hubRepository(model) else { return URL(fileURLWithPath: model) }
        return try HubModelResolver.snapshot(of: repository, revision: revision ?? "main")
    }

    /// `model` as a hub repository: an `ORG/NAME` that is neither an existing local path nor inside an existing local
    /// folder `ORG` (so a mistyped `Fixtures/some-model` is reported as a missing folder, not looked up on the hub).
    private static func hubRepository(_ model: String) -> HubRepositoryID? {
        guard let repository = HubRepositoryID(model), !FileManager.default.fileExists(atPath: model),
              !FileManager.default.fileExists(atPath: repository.owner) else { return nil }
        return repository
    }
}

extension WeightType: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
