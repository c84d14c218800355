import CKernels
import Foundation
import Testing
import Image2TextKernels

#if !canImport(Accelerate)
@Suite struct BLASKernelSetTests {
    @Test("on a CPU with AVX-512, OpenBLAS runs its AVX-512 kernels unless OPENBLAS_CORETYPE chose others")
    func avx512KernelsWhereTheCPUHasThem() {
        let set = BLAS.kernelSet
        #expect(set.hasPrefix("OpenBLAS "))
        guard i2t_cpu_has_avx512() != 0, ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return }
        #expect(!set.hasPrefix("OpenBLAS Haswell") && !set.hasPrefix("OpenBLAS Zen"), "\(set)")
        // The variable set for the switch is gone again, so child processes choose for themselves.
        #expect(getenv("OPENBLAS_CORETYPE") == nil)
    }
}
#endif
