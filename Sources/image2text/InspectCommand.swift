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

    /// One setting: its text, and its JSON value (numbers as numbers; null for one that is off or absent).
    struct Fact: Encodable {
        let text: String
        let value: Value

        indirect enum Value: Encodable {
            case integer(Int), number(Double), string(String), bool(Bool), list([Value]), object([String: Value]), null

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .integer(let number): try container.encode(number)
                case .number(let number): try container.encode(number)
                case .string(let text): try container.encode(text)
                case .bool(let flag): try container.encode(flag)
                case .list(let values): try container.encode(values)
                case .object(let values): try container.encode(values)
                case .null: try container.encodeNil()
                }
            }
        }

        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

        static func integer(_ number: Int) -> Fact { Fact(text: "\(number)", value: .integer(number)) }
        static func number(_ number: Double) -> Fact { Fact(text: "\(number)", value: .number(number)) }
        static func string(_ text: String) -> Fact { Fact(text: text, value: .string(text)) }
        static func bool(_ flag: Bool) -> Fact { Fact(text: "\(flag)", value: .bool(flag)) }
        static func integers(_ numbers: [Int]) -> Fact {
            Fact(text: numbers.map(String.init).joined(separator: ","), value: .list(numbers.map(Value.integer)))
        }
        static func numbers(_ numbers: [Double]) -> Fact {
            Fact(text: numbers.map { "\($0)" }.joined(separator: ","), value: .list(numbers.map(Value.number)))
        }
        /// An absent or disabled setting: `text` in the text report, null in JSON.
        static func absent(_ text: String) -> Fact { Fact(text: text, value: .null) }
        /// `height×width`, an object in JSON.
        static func size(height: Int, width: Int) -> Fact {
            Fact(text: "\(height)×\(width)", value: .object(["height": .integer(height), "width": .integer(width)]))
        }
    }

    let directory: String
    let files: [String]
    let weightFormat: String
    let weightDTypes: [String]
    let parameterCount: Int
    let weightBytes: Int
    let textDecoder: [String: Fact]
    let visionTower: [String: Fact]
    let generation: [String: Fact]
    let imageProcessor: [String: Fact]
    let tokenizer: [String: Fact]
    let ignoredTensors: [String]
    let tensors: [Tensor]

    enum CodingKeys: String, CodingKey {
        case directory, files, weightFormat = "weight_format", weightDTypes = "weight_dtypes", parameterCount = "parameter_count"
        case weightBytes = "weight_bytes", textDecoder = "text_decoder", visionTower = "vision_tower", generation
        case imageProcessor = "image_processor", tokenizer, ignoredTensors = "ignored_tensors", tensors
    }

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
            "hidden_size": .integer(config.hiddenSize), "layers": .integer(config.numHiddenLayers),
            "attention_heads": .integer(config.numAttentionHeads), "intermediate_size": .integer(config.intermediateSize),
            "vocab_size": .integer(config.vocabSize), "max_position_embeddings": .integer(config.maxPositionEmbeddings),
            "hidden_act": .string(config.hiddenAct), "dtype": config.dtype.map(Fact.string) ?? .absent("unspecified"),
        ]
        let frames = config.numImageWithEmbedding ?? 1
        visionTower = [
            "hidden_size": .integer(vision.hiddenSize), "layers": .integer(vision.numHiddenLayers),
            "attention_heads": .integer(vision.numAttentionHeads), "image_size": .integer(vision.imageSize),
            "patch_size": .integer(vision.patchSize), "tokens_per_image": .integer(vision.tokensPerImage),
            "frames": Fact(text: "\(frames) (\(config.numImageWithEmbedding == nil ? "image" : "video"))", value: .integer(frames)),
            "image_tokens": .integer(frames * vision.tokensPerImage),
        ]
        let generationConfig = folder.generationConfig
        generation = [
            "bos_token_id": generationConfig.bosTokenId.map(Fact.integer) ?? .absent("none"),
            "eos_token_id": .integers(generationConfig.eosTokenIds ?? []),
            "pad_token_id": generationConfig.padTokenId.map(Fact.integer) ?? .absent("none"),
            "max_length": generationConfig.options.maxLength.map(Fact.integer) ?? .absent("default"),
            "num_beams": generationConfig.options.numBeams.map(Fact.integer) ?? .absent("default"),
        ]
        let size: Fact = switch processor.size {
        case .shortestEdge(let edge): Fact(text: "shortest_edge \(edge)", value: .object(["shortest_edge": .integer(edge)]))
        case .shortestEdgeCapped(let shortest, let longest):
            Fact(text: "shortest_edge \(shortest), longest_edge \(longest)",
                 value: .object(["shortest_edge": .integer(shortest), "longest_edge": .integer(longest)]))
        case .exact(let height, let width): .size(height: height, width: width)
        }
        imageProcessor = [
            "type": processor.imageProcessorType.map(Fact.string) ?? .absent("unspecified"), "resize": processor.doResize ? size : .absent("off"),
            "resample": .string(processor.resample.description),
            "center_crop": processor.doCenterCrop ? .size(height: processor.cropSize.height, width: processor.cropSize.width) : .absent("off"),
            "rescale_factor": processor.doRescale ? .number(processor.rescaleFactor) : .absent("off"),
            "image_mean": .numbers(processor.imageMean), "image_std": .numbers(processor.imageStd),
        ]
        self.tokenizer = [
            "vocab_size": .integer(tokenizer.vocabularySize), "cls": .integer(tokenizer.clsTokenId), "sep": .integer(tokenizer.sepTokenId),
            "pad": .integer(tokenizer.padTokenId), "unk": .integer(tokenizer.unkTokenId), "mask": .integer(tokenizer.maskTokenId),
            "lowercase": .bool(tokenizer.configuration.doLowerCase),
        ]
        ignoredTensors = folder.weights.ignoredNames
        tensors = folder.weights.files.flatMap(\.tensors).map { Tensor(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape) }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func text() -> String {
        func section(_ title: String, _ values: [String: Fact]) -> String {
            "\(title):\n" + values.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value.text)" }.joined(separator: "\n")
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
