import Image2TextKernels

/// What `image2text --version` prints: the version, the commit, and the kernels this CPU runs.
enum VersionReport {
    static var text: String {
        """
        image2text \(BuildInfo.version) (commit \(BuildInfo.commit))
        kernels: \(KernelVariant.usesAVX2 ? "AVX2 + FMA + F16C" : "portable (this CPU lacks AVX2, FMA or F16C)")
        BLAS: \(BLAS.kernelSet)
        """
    }
}
