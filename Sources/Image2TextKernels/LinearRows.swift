import CKernels
import Dispatch
import Foundation

/// A few token rows through an `nn.Linear` weight (`[out, in]` row-major) in one pass over the weights: the decode
/// step's products (one row per sequence). BLAS libraries run such small-M products far below memory speed
/// (OpenBLAS's M = 1 sgemm reaches 2–8 GFLOP/s); this kernel reads each weight row once per four input rows, with
/// AVX2 + FMA when the CPU has them (chosen at run time) and a portable loop otherwise. The output rows are split
/// over ``KernelThreads/count`` threads.
public enum LinearRows {
    /// The row counts for which this kernel beats OpenBLAS on this project's machine (2-core AMD EPYC, LM head
    /// 768 × 30522, one thread: 2 rows 9.9 ms vs sgemm 22.9 ms, 4 rows 11.4 vs 21.8, 8 rows 22.4 vs 26.4). One row
    /// goes to OpenBLAS sgemv (7.3 ms, ours 9.0), more than eight to sgemm.
    public static let rowRange = 2...8

    /// `output[r] = bias + weight · input[r]` for `rows` rows of `inFeatures` (input) and `outFeatures` (output).
    public static func apply(weight: UnsafePointer<Float>, inFeatures: Int, outFeatures: Int,
                             input: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?,
                             output: UnsafeMutablePointer<Float>) {
        // Splitting costs a few microseconds: only worth it for large weights.
        let parts = inFeatures * outFeatures >= 1 << 18 ? min(KernelThreads.count, outFeatures / 64) : 1
        guard parts > 1 else {
            i2t_linear_rows_f32(weight, inFeatures, 0, outFeatures, input, inFeatures, rows, bias, output, outFeatures)
            return
        }
        let chunk = (outFeatures + parts - 1) / parts
        // The parts write disjoint columns of `output`; the pointers outlive the call.
        struct Operands: @unchecked Sendable {
            let weight, input: UnsafePointer<Float>
            let bias: UnsafePointer<Float>?
            let output: UnsafeMutablePointer<Float>
        }
        let operands = Operands(weight: weight, input: input, bias: bias, output: output)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let begin = part * chunk, end = min(outFeatures, begin + chunk)
            i2t_linear_rows_f32(operands.weight, inFeatures, begin, end, operands.input, inFeatures, rows, operands.bias,
                                operands.output, outFeatures)
        }
    }

    /// Whether the AVX2 + FMA kernel is in use.
    public static var usesAVX2: Bool { i2t_uses_avx2() != 0 }
}

/// The number of threads the kernels use: ours and the BLAS library's.
public enum KernelThreads {
    nonisolated(unsafe) private static var configured: Int?

    /// All cores unless set.
    public static var count: Int { configured ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Sets the thread count for our kernels and for BLAS. Call before running the model.
    public static func set(_ count: Int) {
        configured = max(1, count)
        BLAS.setThreadCount(count)
    }
}
