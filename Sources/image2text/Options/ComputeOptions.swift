import ArgumentParser
import Image2Text
import Image2TextKernels

/// `--threads N` and `--dtype TYPE`: how a subcommand that runs the model computes.
struct ComputeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Threads for matrix products (default: all cores).", valueName: "N"))
    var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Hold weight matrices as f32, f16, bf16 or int8 (converted at load; default: as stored).",
        discussion: "Reduced types compute in float32 from fewer weight bytes: faster decoding, less memory, a small accuracy cost.",
        valueName: "TYPE"))
    var dtype: WeightType?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Sets `--threads` for the kernels and BLAS, if given.
    func applyThreadCount() {
        if let threads { KernelThreads.set(threads) }
    }
}

extension WeightType: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
