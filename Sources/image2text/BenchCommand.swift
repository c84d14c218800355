import ArgumentParser
import Foundation
import Image2Text
import Image2TextDatasets
import Image2TextBenchmark
import Image2TextKernels

/// `image2text bench`: our side of the side-by-side benchmark (`tools/reference/bench_side_by_side`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the model's stages on one image, and the machine's limits.",
        discussion: """
            Medians (with min and max) over --repeats runs after a warm-up: load (time to a ready model), preprocess, \
            vision (tower + projection), decoder_prefill (the decoder's pass over the image tokens), prefill (pixel \
            values → first token), decode_step (one token with the cache: a 21-token generation less the first \
            token's, over 20), caption20 (image → 20-token caption), \
            beam4, batch8 (8 images in one batch). Also sgemm GFLOP/s on the image tokens' shapes (one BLAS call with \
            its own threads, and split over the kernel threads as the model runs it) and the memory bandwidth of a \
            streaming read, and our fractions of them.

            Examples:
              image2text bench --repeats 3
              image2text bench --image Fixtures/images/chelsea.png --json
              image2text bench --threads 1 --dtype int8 --repeats 3
            """)

    @OptionGroup var location: ModelLocationOptions

    @OptionGroup var compute: ComputeOptions

    @Option(name: .long, help: ArgumentHelp(
        "The image to caption (default: a built-in 640×480 synthetic image, the same on every machine).", valueName: "IMAGE"))
    var image: String?

    @Option(name: .long, help: ArgumentHelp("Timed runs per figure.", valueName: "N"))
    var repeats = 5

    @Flag(help: "Print one JSON object.")
    var json = false

    /// The JSON `bench_side_by_side` reads.
    struct Report: Encodable {
        let model: String
        let image: String
        let threads: Int?
        let dtype: String
        let repeats: Int
        let figures: [String: StageBenchmark.Timing]
        let limits: StageBenchmark.Limits
        let derived: StageBenchmark.Derived
    }

    private static func decode(_ image: String) throws -> RGBImage {
        do {
            return try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: image))
        } catch {
            throw GenerationOutput.imageProblem(error, input: DatasetInput(key: image, name: Array(image.utf8), source: .file(InputPath(image))))
        }
    }

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        compute.applyThreadCount()
        let decoded = try image.map(Self.decode) ?? .benchmarkPattern
        let directory = try location.directory()  // resolved once: a hub repository costs a listing request
        let result = try StageBenchmark.run(directory: directory, weightType: compute.dtype, image: decoded,
                                            repeats: repeats)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let report = Report(model: directory.path, image: image ?? "synthetic", threads: compute.threads,
                                dtype: result.weightTypes.map(\.rawValue).sorted().joined(separator: ","), repeats: repeats,
                                figures: result.figures, limits: result.limits, derived: result.derived)
            GenerationOutput.printLine(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        for name in ["load", "preprocess", "vision", "decoder_prefill", "prefill", "decode_step", "caption20", "beam4", "batch8"] {
            guard let timing = result.figures[name] else { continue }
            let label = name.padding(toLength: 12, withPad: " ", startingAt: 0)
            GenerationOutput.printLine(label + String(format: "%10.2f ms  (min %.2f, max %.2f, %d runs)",
                                                      timing.median * 1e3, timing.min * 1e3, timing.max * 1e3, timing.runs))
        }
        GenerationOutput.printLine("BLAS: " + result.limits.blasKernelSet)
        for (shape, rate) in result.limits.sgemmGFLOPS.sorted(by: { $0.key < $1.key }) {
            GenerationOutput.printLine(String(format: "sgemm %@: %.1f GFLOP/s, split over the kernel threads %.1f, one per thread side by side %.1f",
                                              shape, rate, result.limits.pooledSGEMMGFLOPS[shape] ?? 0,
                                              result.limits.independentSGEMMGFLOPS[shape] ?? 0))
        }
        let derived = result.derived
        let lmHead = result.limits.lmHeadMilliseconds
        GenerationOutput.printLine(String(format: "LM head f32, ms: 1 row ours %.2f, sgemv %.2f, sgemm %.2f; 4 rows ours %.2f, sgemm %.2f; 8 rows ours %.2f, sgemm %.2f",
                                          lmHead["ours_1"] ?? 0, lmHead["sgemv_1"] ?? 0, lmHead["sgemm_1"] ?? 0, lmHead["ours_4"] ?? 0,
                                          lmHead["sgemm_4"] ?? 0, lmHead["ours_8"] ?? 0, lmHead["sgemm_8"] ?? 0))
        GenerationOutput.printLine("weights: " + result.weightTypes.map(\.rawValue).sorted().joined(separator: ", "))
        GenerationOutput.printLine(String(format: "bandwidth: %.1f GB/s", result.limits.bandwidthGBPS))
        GenerationOutput.printLine("small-M kernel: " + (KernelVariant.usesAVX2 ? "AVX2 + FMA + F16C" : "portable"))
        GenerationOutput.printLine(String(format: "vision: %.1f GFLOP at %.1f GFLOP/s = %.0f %% of sgemm (%.1f GFLOP/s)",
                                          derived.visionGFLOP, derived.visionGFLOPS, derived.visionFractionOfSGEMM * 100,
                                          result.limits.referenceSGEMMGFLOPS))
        GenerationOutput.printLine(String(format: "decoder prefill: %.1f GFLOP at %.1f GFLOP/s = %.0f %% of sgemm",
                                          derived.decoderPrefillGFLOP, derived.decoderPrefillGFLOPS,
                                          derived.decoderPrefillFractionOfSGEMM * 100))
        GenerationOutput.printLine(String(format: "decode step: %.1f MB of weights, floor %.2f ms, measured %.2f× the floor",
                                          Double(derived.decodeWeightBytes) / 1e6, derived.decodeFloorSeconds * 1e3,
                                          derived.decodeFractionOfFloor))
    }
}
