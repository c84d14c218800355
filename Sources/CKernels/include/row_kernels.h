#ifndef IMAGE2TEXT_ROW_KERNELS_H
#define IMAGE2TEXT_ROW_KERNELS_H

#include <stddef.h>

// Element-wise and row-wise kernels of the transformer layers on row-major float32 blocks: `rows` rows of `width`
// values, row r of a block `x` at x + r·ldx. The AVX2 + FMA variants are chosen at run time, as for the weight kernels
// (ckernels.h); the portable ones compute the same formulas.

/// The activation functions of GIT's feed-forward layers.
typedef enum {
    /// x · ½ · (1 + erf(x / √2)) with PyTorch's vectorised erf (Abramowitz–Stegun 7.1.26: |error| ≤ 1.5e-7).
    I2T_GELU = 0,
    /// x · sigmoid(1.702 · x) (CLIP's quick GELU).
    I2T_QUICK_GELU = 1,
    /// max(x, 0); NaN stays NaN.
    I2T_RELU = 2,
} i2t_activation;

/// x = activation(x), in place.
void i2t_activate_rows(i2t_activation activation, float *x, ptrdiff_t ldx, ptrdiff_t rows, ptrdiff_t width);

/// x += y. With ldy = 0 the same row `y` (a bias) is added to every row.
void i2t_add_rows(float *x, ptrdiff_t ldx, const float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width);

/// out = LayerNorm(x + residual) · gamma + beta per row (residual may be NULL), with the biased variance as PyTorch's
/// nn.LayerNorm. Mean and variance accumulate in double, so the result sits within float rounding of PyTorch's
/// whatever its summation order. out may be x.
void i2t_layer_norm_rows(const float *x, ptrdiff_t ldx, const float *residual, ptrdiff_t ldr, ptrdiff_t rows,
                         ptrdiff_t width, const float *gamma, const float *beta, float epsilon, float *out, ptrdiff_t ldo);

/// Softmax of one row in place: x[i] = exp(x[i] − max) / Σ exp(x[j] − max). exp(−inf) is exactly 0.
void i2t_softmax(float *x, ptrdiff_t count);

/// The terms of a log-softmax without writing x: *maximum = max x[i], and the result is Σ exp(x[i] − *maximum).
float i2t_exp_sum(const float *x, ptrdiff_t count, float *maximum);

/// Σ x[i] in float, sixteen lanes at a time: a pass at memory speed (what the bandwidth measurement reads with).
float i2t_sum(const float *x, ptrdiff_t count);

#endif
