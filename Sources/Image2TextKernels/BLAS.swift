// The one seam to the platform's BLAS: OpenBLAS (Debian's libopenblas-dev) on Linux, Accelerate on Apple
// platforms. Everything above this file calls `BLAS`, never cblas_* directly.
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
import CKernels
#endif

public enum BLAS {
    /// Row-major single-precision product `C = alpha · A · op(B) + beta · C`.
    ///
    /// - A is `m × k` with leading dimension `lda` (≥ k).
    /// - B is `k × n` (`transposeB == false`, leading dimension ≥ n) or `n × k` (`transposeB == true`,
    ///   leading dimension ≥ k: the PyTorch `[out, in]` weight layout).
    /// - C is `m × n` with leading dimension `ldc` (≥ n).
    @inlinable
    public static func sgemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Single-precision matrix-vector product `y = alpha · op(A) · x + beta · y` with A row-major `m × n` (leading
    /// dimension `lda` ≥ n): x of length n and y of length m (`transposeA == false`: one token through a PyTorch
    /// `[out, in]` weight), or x of length m and y of length n (`transposeA == true`).
    /// (OpenBLAS runs M = 1 products three to six times faster as GEMV than as GEMM.)
    @inlinable
    public static func sgemv(
        m: Int, n: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        x: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>,
        alpha: Float = 1, beta: Float = 0
    ) {
        cblas_sgemv(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1,
                    beta, y, 1)
    }

    /// The BLAS library and the kernels it runs: `"OpenBLAS Haswell"`, `"OpenBLAS SkylakeX (switched: AVX-512 CPU
    /// OpenBLAS did not recognise)"`, or `"Accelerate"`.
    public static var kernelSet: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return i2t_blas_switched_to_avx512() != 0
            ? "OpenBLAS \(core) (switched: AVX-512 CPU OpenBLAS did not recognise)" : "OpenBLAS \(core)"
        #endif
    }

    /// Sets the number of threads the BLAS library uses for one call (OpenBLAS only; Accelerate decides itself).
    public static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(max(1, count)))
        #endif
    }
}
