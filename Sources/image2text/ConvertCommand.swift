import ArgumentParser
import Foundation
import Image2Text

/// `image2text convert`: a checkpoint folder with its weight matrices in another type, loadable memory-mapped.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a copy of a checkpoint folder with its weight matrices stored as f32, f16, bf16 or int8.",
        discussion: """
            Linear weights and word embeddings are stored in TYPE (int8: per-row symmetric quantisation, with an F32 \
            '<name>_scale' tensor beside each matrix), rounded as --dtype rounds them at load; the other tensors as \
            F16/BF16 in a half-precision folder, else F32. The other files are copied. The result loads with no \
            conversion. f16 and bf16 folders are ordinary Hugging Face checkpoints; int8 folders load only here.

            Examples:
              image2text convert Models/git-tiny-easyvqa --dtype int8 --output tiny-int8
              image2text caption --model tiny-int8 Fixtures/easyvqa/0.png
              image2text convert Models/git-tiny-easyvqa --dtype bf16 --output tiny-bf16
            """)

    @Argument(help: ArgumentHelp("The checkpoint folder to convert.", valueName: "DIR"))
    var directory: String

    @Option(name: .long, help: ArgumentHelp("The weight type to store: f32, f16, bf16 or int8.", valueName: "TYPE"))
    var dtype: WeightType

    @Option(name: [.long, .short], help: ArgumentHelp("The folder to write (must not exist, or be empty).", valueName: "DIR2"))
    var output: String

    func validate() throws {
        if output == "-" { throw ValidationError("--output names the folder to write; standard output (-) cannot hold one") }
    }

    func run() throws {
        try CheckpointConversion.convert(directory: URL(fileURLWithPath: directory), to: dtype, output: URL(fileURLWithPath: output))
        print("wrote \(output) (\(dtype.rawValue) weights)")
    }
}
