import CKernels
import Dispatch
import Foundation

/// `nn.Linear` products, `output[r] = bias + weight · input[r]`, for a weight of any ``WeightType``:
/// - up to 8 rows (the decode step: one row per sequence): our kernel, one pass over the weights per call, at memory
///   speed. BLAS libraries run such small-M products far below it: OpenBLAS 0.3.21's sgemm takes 2–3× longer for 2–8
///   rows (`image2text bench` prints both). One float32 row goes to BLAS sgemv, which is as fast (LM head 6.5 ms,
///   ours 6.9, on this project's machine);
/// - more rows: BLAS sgemm, after widening reduced-precision weights to float32 in blocks of rows (the vision encoder's
///   197-token products, where widening costs little beside the arithmetic).
public enum LinearProduct {
    /// Largest number of rows that go to our kernel.
    public static let maximumKernelRows = 8

    /// Float32 elements widened at a time for sgemm: whole matrices up to 16 MB (every vision-encoder weight), the LM
    /// head in blocks.
    static let widenedBlockElements = 1 << 22

    /// `output[r] = bias + weight · input[r]` for `rows` rows of `weight.columns` inputs (`output` row `r` at
    /// `r · weight.rows`).
    public static func apply(weight: WeightMatrix, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, rows: Int,
                             output: UnsafeMutablePointer<Float>) {
        let (inFeatures, outFeatures) = (weight.columns, weight.rows)
        let float32 = weight.type == .float32 ? weight.values.assumingMemoryBound(to: Float.self) : nil
        if rows <= maximumKernelRows && !(rows == 1 && float32 != nil) {
            kernel(weight: weight, bias: bias, input: input, rows: rows, output: output)
            return
        }
        for row in 0..<rows {
            if let bias { (output + row * outFeatures).update(from: bias, count: outFeatures) } else {
                (output + row * outFeatures).update(repeating: 0, count: outFeatures)
            }
        }
        if let float32, rows == 1 {
            BLAS.sgemv(m: outFeatures, n: inFeatures, a: float32, lda: inFeatures, x: input, y: output, beta: 1)
            return
        }
        if let float32 {
            BLAS.sgemm(m: rows, n: outFeatures, k: inFeatures, a: input, lda: inFeatures, b: float32, ldb: inFeatures,
                       transposeB: true, c: output, ldc: outFeatures, beta: 1)
            return
        }
        let blockRows = min(outFeatures, max(64, widenedBlockElements / inFeatures))
        let widened = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * inFeatures)
        defer { widened.deallocate() }
        for begin in stride(from: 0, to: outFeatures, by: blockRows) {
            let end = min(outFeatures, begin + blockRows)
            weight.widen(rows: begin..<end, into: widened)
            BLAS.sgemm(m: rows, n: end - begin, k: inFeatures, a: input, lda: inFeatures, b: widened, ldb: inFeatures,
                       transposeB: true, c: output + begin, ldc: outFeatures, beta: 1)
        }
    }

    /// Our kernel alone, whatever the row count: the output rows are split over ``KernelThreads/count`` threads.
    public static func kernel(weight: WeightMatrix, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, rows: Int,
                              output: UnsafeMutablePointer<Float>) {
        let (inFeatures, outFeatures) = (weight.columns, weight.rows)
        // Splitting costs a few microseconds: only worth it for large weights.
        let parts = inFeatures * outFeatures >= 1 << 18 ? min(KernelThreads.count, outFeatures / 64) : 1
        guard parts > 1 else {
            i2t_linear_rows(weight.type.kernelType, weight.values, weight.scales, inFeatures, 0, outFeatures, input, inFeatures,
                            rows, bias, output, outFeatures)
            return
        }
        let chunk = (outFeatures + parts - 1) / parts
        // The parts write disjoint columns of `output`; the pointers outlive the call.
        struct Operands: @unchecked Sendable {
            let weight: WeightMatrix
            let input: UnsafePointer<Float>
            let bias: UnsafePointer<Float>?
            let output: UnsafeMutablePointer<Float>
        }
        let operands = Operands(weight: weight, input: input, bias: bias, output: output)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let begin = part * chunk, end = min(outFeatures, begin + chunk)
            let weight = operands.weight
            i2t_linear_rows(weight.type.kernelType, weight.values, weight.scales, inFeatures, begin, end, operands.input,
                            inFeatures, rows, operands.bias, operands.output, outFeatures)
        }
    }
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
