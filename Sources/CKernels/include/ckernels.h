#ifndef IMAGE2TEXT_CKERNELS_H
#define IMAGE2TEXT_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// How a weight matrix is stored. Every kernel computes in float32; `I2T_INT8` rows carry one float32 scale each
/// (weight = scale · q).
typedef enum {
    I2T_F32 = 0,
    I2T_F16 = 1,
    I2T_BF16 = 2,
    I2T_INT8 = 3,
} i2t_weight_type;

/// y[r][o] = (bias ? bias[o] : 0) + sum_i x[r][i] * w[o][i] for r < rows and o in [outBegin, outEnd): a few input
/// rows through an nn.Linear weight stored [out, in] row-major in `type` (`scales`: one per output row for
/// I2T_INT8, else unused). Each weight row is read once per group of input rows, so the cost is one pass over the
/// weights (memory bound) rather than a small-M GEMM. x has leading dimension ldx, y has leading dimension ldy.
void i2t_linear_rows(i2t_weight_type type, const void *w, const float *scales, ptrdiff_t in,
                     ptrdiff_t outBegin, ptrdiff_t outEnd, const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                     const float *bias, float *y, ptrdiff_t ldy);

/// Widens rows [rowBegin, rowEnd) of a `type` matrix with `in` columns to float32, into `out` (row-major, `in` wide).
void i2t_widen_rows(i2t_weight_type type, const void *w, const float *scales, ptrdiff_t in,
                    ptrdiff_t rowBegin, ptrdiff_t rowEnd, float *out);

/// float32 → IEEE half, rounding to nearest even (as PyTorch's `.half()`); overflow gives ±inf.
void i2t_narrow_f16(const float *x, ptrdiff_t count, uint16_t *out);

/// float32 → bfloat16, rounding to nearest even (as PyTorch's `.bfloat16()`); NaN stays NaN.
void i2t_narrow_bf16(const float *x, ptrdiff_t count, uint16_t *out);

/// Symmetric per-row int8 quantisation of a `rows × in` matrix: scale[r] = max |x[r]| / 127 and
/// q = round-half-even(x / scale[r]) (0 for an all-zero row, whose scale is 0).
void i2t_quantize_int8_rows(const float *x, ptrdiff_t rows, ptrdiff_t in, int8_t *out, float *scales);

/// Whether the AVX2 + FMA + F16C paths are in use (chosen once, at run time, from the CPU's features).
int i2t_uses_avx2(void);

/// Forces the portable kernels (nonzero) or restores the run-time choice (zero): for tests that compare the two.
void i2t_use_portable_kernels(int portable);

#endif
