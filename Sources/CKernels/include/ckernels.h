#ifndef IMAGE2TEXT_CKERNELS_H
#define IMAGE2TEXT_CKERNELS_H

#include <stddef.h>

/// y[r][o] = (bias ? bias[o] : 0) + sum_i x[r][i] * w[o][i] for r < rows and o in [outBegin, outEnd): a few input
/// rows through an nn.Linear weight stored [out, in] row-major. Each weight row is read once per group of up to four
/// input rows, so the cost is one pass over the weights (memory bound) rather than a small-M GEMM.
/// x has leading dimension ldx, y has leading dimension ldy.
void i2t_linear_rows_f32(const float *w, ptrdiff_t in, ptrdiff_t outBegin, ptrdiff_t outEnd,
                         const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                         const float *bias, float *y, ptrdiff_t ldy);

/// Whether the AVX2 + FMA path is in use (chosen once, at run time, from the CPU's features).
int i2t_uses_avx2(void);

#endif
