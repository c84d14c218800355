import ArgumentParser
import Foundation
import Image2Text

/// `image2text inspect DIR`: what a checkpoint folder holds, as the loader sees it.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a checkpoint folder's configuration and tensor table.",
        discussion: """
            Examples:
              image2text inspect Models/git-tiny-easyvqa
              image2text inspect --json Models/git-tiny-easyvqa
            """)

    @Argument(help: ArgumentHelp("Checkpoint folder (Hugging Face snapshot layout).", valueName: "DIR"))
    var directory: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        let url = URL(fileURLWithPath: directory)
        let folder = try CheckpointFolder(directory: url)
        let processor = try ImageProcessorConfiguration.load(directory: url)
        let tokenizer = try BertTokenizer(directory: url)
        let report = InspectionReport(folder: folder, processor: processor, tokenizer: tokenizer)
        print(json ? try report.json() : report.text())
    }
}

/// The facts `inspect` prints, gathered once and rendered as text or JSON.
private struct InspectionReport: Encodable {
    struct Tensor: Encodable { let name: String; let dtype: String; let shape: [Int] }

    let directory: String
    let files: [String]
    let weightFormat: String
    let weightDTypes: [String]
    let parameterCount: Int
    let weightBytes: Int
    let textDecoder: [String: String]
    let visionTower: [String: String]
    let generation: [String: String]
    let imageProcessor: [String: String]
    let tokenizer: [String: String]
    let ignoredTensors: [String]
    let tensors: [Tensor]

    init(folder: CheckpointFolder, processor: ImageProcessorConfiguration, tokenizer: BertTokenizer) {
        let config = folder.config
        let vision = config.visionConfig
        directory = folder.directory.path
        files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.directory.path)) ?? []).sorted()
        weightFormat = folder.weights.files.first is PyTorchCheckpoint ? "pytorch_model.bin (torch.save zip)"
            : "safetensors (\(folder.weights.files.count) file\(folder.weights.files.count == 1 ? "" : "s"))"
        let stored = folder.weights.files.flatMap(\.tensors).filter { $0.dtype.weightType != nil }
        weightDTypes = Array(Set(stored.map(\.dtype.rawValue))).sorted()
        parameterCount = folder.weights.allTensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        weightBytes = folder.weights.byteCount
        textDecoder = [
            "hidden_size": "\(config.hiddenSize)", "layers": "\(config.numHiddenLayers)",
            "attention_heads": "\(config.numAttentionHeads)", "intermediate_size": "\(config.intermediateSize)",
            "vocab_size": "\(config.vocabSize)", "max_position_embeddings": "\(config.maxPositionEmbeddings)",
            "hidden_act": config.hiddenAct, "dtype": config.dtype ?? "unspecified",
        ]
        visionTower = [
            "hidden_size": "\(vision.hiddenSize)", "layers": "\(vision.numHiddenLayers)",
            "attention_heads": "\(vision.numAttentionHeads)", "image_size": "\(vision.imageSize)",
            "patch_size": "\(vision.patchSize)", "tokens_per_image": "\(vision.tokensPerImage)",
            "frames": config.numImageWithEmbedding.map { "\($0) (video)" } ?? "1 (image)",
            "image_tokens": "\((config.numImageWithEmbedding ?? 1) * vision.tokensPerImage)",
        ]
        let generationConfig = folder.generationConfig
        generation = [
            "bos_token_id": generationConfig.bosTokenId.map(String.init) ?? "none",
            "eos_token_id": (generationConfig.eosTokenIds ?? []).map(String.init).joined(separator: ","),
            "pad_token_id": generationConfig.padTokenId.map(String.init) ?? "none",
            "max_length": generationConfig.options.maxLength.map(String.init) ?? "default",
            "num_beams": generationConfig.options.numBeams.map(String.init) ?? "default",
        ]
        let size = switch processor.size {
        case .shortestEdge(let edge): "shortest_edge \(edge)"
        case .shortestEdgeCapped(let shortest, let longest): "shortest_edge \(shortest), longest_edge \(longest)"
        case .exact(let height, let width): "\(height)×\(width)"
        }
        imageProcessor = [
            "type": processor.imageProcessorType ?? "unspecified", "resize": processor.doResize ? size : "off",
            "resample": processor.resample.description,
            "center_crop": processor.doCenterCrop ? "\(processor.cropSize.height)×\(processor.cropSize.width)" : "off",
            "rescale_factor": processor.doRescale ? "\(processor.rescaleFactor)" : "off",
            "image_mean": processor.imageMean.map { "\($0)" }.joined(separator: ","),
            "image_std": processor.imageStd.map { "\($0)" }.joined(separator: ","),
        ]
        self.tokenizer = [
            "vocab_size": "\(tokenizer.vocabularySize)", "cls": "\(tokenizer.clsTokenId)", "sep": "\(tokenizer.sepTokenId)",
            "pad": "\(tokenizer.padTokenId)", "unk": "\(tokenizer.unkTokenId)", "mask": "\(tokenizer.maskTokenId)",
            "lowercase": "\(tokenizer.configuration.doLowerCase)",
        ]
        ignoredTensors = folder.weights.ignoredNames
        tensors = folder.weights.files.flatMap(\.tensors).map { Tensor(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape) }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        func section(_ title: String, _ values: [String: String]) -> String {
            "\(title):\n" + values.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
        }
        let nameWidth = tensors.map(\.name.count).max() ?? 0
        let table = tensors.map { tensor in
            "  " + tensor.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                + tensor.dtype.padding(toLength: 4, withPad: " ", startingAt: 0) + "  [" + tensor.shape.map(String.init).joined(separator: ", ") + "]"
        }
        return ([
            "checkpoint: \(directory)",
            "files: \(files.joined(separator: ", "))",
            "weights: \(weightFormat), dtype \(weightDTypes.joined(separator: "/")), \(parameterCount) parameters, \(weightBytes) bytes"
                + (ignoredTensors.isEmpty ? "" : ", ignored: \(ignoredTensors.joined(separator: ", "))"),
            section("text decoder", textDecoder), section("vision tower", visionTower), section("generation", generation),
            section("image processor", imageProcessor), section("tokenizer", tokenizer),
            "tensors (\(tensors.count)):",
        ] + table).joined(separator: "\n")
    }
}
