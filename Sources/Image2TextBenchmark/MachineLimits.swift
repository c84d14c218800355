import CKernels
import Foundation
import Image2TextKernels

/// The machine's limits that the model's speed is judged against: the BLAS library's sgemm rate on a shape, and the
/// memory bandwidth of a streaming read.
public enum MachineLimits {
    /// GFLOP/s of `C = A · Bᵀ` with A `m × k` and B `n × k` (the `nn.Linear` layout), the best of `repeats` timed
    /// calls after one warm-up: one BLAS call running `threads` threads of its own (`pooled == false`), or
    /// ``LinearProduct`` splitting the columns over the kernel threads, each part a single-threaded BLAS call.
    public static func sgemmGFLOPS(m: Int, n: Int, k: Int, threads: Int = KernelThreads.count, pooled: Bool = false,
                                   repeats: Int = 5) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        var c = [Float](repeating: 0, count: m * n)
        if !pooled { BLAS.setThreadCount(threads) }
        defer { if !pooled { BLAS.setThreadCount(1) } }  // what the kernel threads run BLAS with
        var best = Double.infinity
        for run in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        if pooled {
                            LinearProduct.apply(weight: WeightMatrix(type: .float32, rows: n, columns: k, values: b.baseAddress!),
                                                bias: nil, input: a.baseAddress!, rows: m, output: c.baseAddress!)
                        } else {
                            BLAS.sgemm(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k, transposeB: true,
                                       c: c.baseAddress!, ldc: n)
                        }
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if run > 0 { best = min(best, seconds) }
        }
        return 2 * Double(m * n * k) / best / 1e9
    }

    /// GFLOP/s of `threads` independent single-threaded products of that shape side by side, one per kernel thread,
    /// each with its own output: what the threads can do with no synchronisation or shared work at all, the limit of
    /// splitting one product over them.
    public static func independentSGEMMGFLOPS(m: Int, n: Int, k: Int, threads: Int = KernelThreads.count, repeats: Int = 5) -> Double {
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        let outputs = UnsafeMutablePointer<Float>.allocate(capacity: threads * m * n)
        defer { outputs.deallocate() }
        let callsPerThread = 3
        var best = Double.infinity
        for run in 0...repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    KernelThreads.run(parts: threads) { part in
                        for _ in 0..<callsPerThread {
                            BLAS.sgemm(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k, transposeB: true,
                                       c: outputs + part * m * n, ldc: n)
                        }
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if run > 0 { best = min(best, seconds) }
        }
        return 2 * Double(threads * callsPerThread * m * n * k) / best / 1e9
    }

    /// GB/s of summing a `megabytes` buffer of floats (much larger than the caches) on the kernel threads, `threads`
    /// parts each summed by one thread, the best of `repeats` passes.
    public static func streamingReadGBPS(megabytes: Int = 512, threads: Int = KernelThreads.count, repeats: Int = 5) -> Double {
        let count = megabytes << 18
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1, count: count)
        let part = count / threads
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            KernelThreads.run(parts: threads) { index in
                precondition(i2t_sum(buffer + index * part, part) > 0)  // keeps the loads
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return Double(part * threads * 4) / best / 1e9
    }

    /// Milliseconds (best of `repeats`) of a float32 `outFeatures × inFeatures` product (the LM head's shape) for 1, 4
    /// and 8 rows: our kernel over the kernel threads (`ours_1`, `ours_4`, `ours_8`) beside one BLAS call (`sgemv_1`,
    /// `sgemm_1`, `sgemm_4`, `sgemm_8`; single-threaded once the kernel threads have started, as they run BLAS), the
    /// comparison behind ``LinearProduct``'s choice of path.
    public static func smallProductMilliseconds(inFeatures: Int, outFeatures: Int, repeats: Int = 10) -> [String: Double] {
        let weight = (0..<inFeatures * outFeatures).map { Float($0 % 97) / 97 - 0.5 }
        let input = (0..<8 * inFeatures).map { Float($0 % 13) / 13 }
        var output = [Float](repeating: 0, count: 8 * outFeatures)
        func best(_ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Double {
            var fastest = Double.infinity
            for run in 0...repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                input.withUnsafeBufferPointer { x in output.withUnsafeMutableBufferPointer { y in body(x.baseAddress!, y.baseAddress!) } }
                if run > 0 { fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
            }
            return fastest
        }
        return weight.withUnsafeBufferPointer { w in
            let matrix = WeightMatrix(type: .float32, rows: outFeatures, columns: inFeatures, values: w.baseAddress!)
            var figures = [String: Double]()
            for rows in [1, 4, 8] {
                figures["ours_\(rows)"] = best { LinearProduct.kernel(weight: matrix, bias: nil, input: $0, rows: rows, output: $1) }
                figures["sgemm_\(rows)"] = best {
                    BLAS.sgemm(m: rows, n: outFeatures, k: inFeatures, a: $0, lda: inFeatures, b: w.baseAddress!, ldb: inFeatures,
                               transposeB: true, c: $1, ldc: outFeatures)
                }
            }
            figures["sgemv_1"] = best { BLAS.sgemv(m: outFeatures, n: inFeatures, a: w.baseAddress!, lda: inFeatures, x: $0, y: $1) }
            return figures
        }
    }
}
