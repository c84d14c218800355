import ArgumentParser
import Foundation
import Image2Text
import Image2TextKernels

/// `--model DIR`, `--threads N`, `--dtype TYPE` and `--image-size N`, shared by every subcommand that reads a
/// checkpoint folder.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Checkpoint folder in Hugging Face snapshot layout (config.json, model.safetensors, tokenizer and processor files).",
            discussion: "Defaults to $IMAGE2TEXT_MODEL, else the bundled demo model Models/git-tiny-easyvqa of this repository.",
            valueName: "DIR"))
    var model: String?

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
    }

    /// Sets the thread count and loads the model.
    func load() throws -> GITModel {
        applyThreadCount()
        return try GITModel(directory: directory(), weightType: dtype, imageSize: imageSize)
    }

    /// The checkpoint's image-processor settings, resized by `--image-size` if given.
    func imageProcessorConfiguration() throws -> ImageProcessorConfiguration {
        let configuration = try ImageProcessorConfiguration.load(directory: directory())
        return imageSize.map { configuration.resized(toShortestEdge: $0) } ?? configuration
    }

    /// Sets `--threads` for the kernels and BLAS, if given.
    func applyThreadCount() {
        if let threads { KernelThreads.set(threads) }
    }

    /// The folder to load: `--model`, else `$IMAGE2TEXT_MODEL`, else the demo model next to the build folder.
    func directory() throws -> URL {
        if let model { return URL(fileURLWithPath: model) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["IMAGE2TEXT_MODEL"], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        // The executable lives in <repo>/.build/<config>/image2text; the demo model in <repo>/Models/.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("Models/git-tiny-easyvqa")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("config.json").path) {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        throw ValidationError("no model given: pass --model DIR or set IMAGE2TEXT_MODEL")
    }
}

extension WeightType: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
