#ifndef IMAGE2TEXT_BLAS_KERNEL_SET_H
#define IMAGE2TEXT_BLAS_KERNEL_SET_H

/// 1 when the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels use (F, CD, BW, DQ, VL), else 0.
int i2t_cpu_has_avx512(void);

/// 1 when this process switched OpenBLAS from the kernel set it chose itself to its SkylakeX kernels (see
/// blas_kernel_set.c), else 0.
int i2t_blas_switched_to_avx512(void);

#endif
