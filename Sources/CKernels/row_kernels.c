// Element-wise and row-wise kernels (row_kernels.h). The portable variants are plain loops over libm's expf; the AVX2
// + FMA ones evaluate the same formulas eight lanes at a time with a Cephes-style exp (within 1 ulp of expf,
// subnormal results included), and are chosen with the weight kernels' run-time choice (i2t_uses_avx2).
#include "row_kernels.h"

#include <math.h>

#include "ckernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define I2T_X86 1
#include <immintrin.h>
#endif

// Abramowitz–Stegun 7.1.26, the erf of PyTorch's vectorised GELU: erf(x) = sign(x) · (1 − t·P(t)·exp(−x²)),
// t = 1 / (1 + p·|x|).
#define ERF_P 0.3275911f
#define ERF_A1 0.254829592f
#define ERF_A2 -0.284496736f
#define ERF_A3 1.421413741f
#define ERF_A4 -1.453152027f
#define ERF_A5 1.061405429f
#define INVERSE_SQUARE_ROOT_TWO 0.70710678118654752440f
#define QUICK_GELU_SLOPE 1.702f

// MARK: - Portable

static float gelu_portable(float x) {
    const float z = x * INVERSE_SQUARE_ROOT_TWO, magnitude = fabsf(z);
    const float t = 1.0f / (ERF_P * magnitude + 1.0f);
    const float polynomial = (((ERF_A5 * t + ERF_A4) * t + ERF_A3) * t + ERF_A2) * t + ERF_A1;
    const float erf = copysignf(1.0f - polynomial * t * expf(-z * z), z);
    return x * 0.5f * (1.0f + erf);
}

static float activate_portable(i2t_activation activation, float x) {
    switch (activation) {
    case I2T_GELU: return gelu_portable(x);
    case I2T_QUICK_GELU: return x / (1.0f + expf(-QUICK_GELU_SLOPE * x));
    case I2T_RELU: return x < 0 ? 0.0f : x;
    }
    return x;
}

static void activate_rows_portable(i2t_activation activation, float *x, ptrdiff_t ldx, ptrdiff_t rows, ptrdiff_t width) {
    for (ptrdiff_t r = 0; r < rows; r++)
        for (ptrdiff_t i = 0; i < width; i++) x[r * ldx + i] = activate_portable(activation, x[r * ldx + i]);
}

static void add_rows_portable(float *x, ptrdiff_t ldx, const float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width) {
    for (ptrdiff_t r = 0; r < rows; r++)
        for (ptrdiff_t i = 0; i < width; i++) x[r * ldx + i] += y[r * ldy + i];
}

// The output pass shared by both variants' tails: (v − mean) · scale · gamma + beta in float.
static void normalize_tail(const float *v, float *out, ptrdiff_t begin, ptrdiff_t width, float mean, float scale,
                           const float *gamma, const float *beta) {
    for (ptrdiff_t i = begin; i < width; i++) out[i] = (v[i] - mean) * scale * gamma[i] + beta[i];
}

static void layer_norm_row_portable(const float *v, ptrdiff_t width, const float *gamma, const float *beta, float epsilon,
                                    float *out) {
    double sum = 0;
    for (ptrdiff_t i = 0; i < width; i++) sum += v[i];
    const double mean = sum / (double)width;
    double squares = 0;
    for (ptrdiff_t i = 0; i < width; i++) squares += ((double)v[i] - mean) * ((double)v[i] - mean);
    const double inverseDeviation = 1 / sqrt(squares / (double)width + (double)epsilon);
    normalize_tail(v, out, 0, width, (float)mean, (float)inverseDeviation, gamma, beta);
}

static float maximum_portable(const float *x, ptrdiff_t count) {
    float maximum = -INFINITY;
    for (ptrdiff_t i = 0; i < count; i++) maximum = fmaxf(maximum, x[i]);
    return maximum;
}

// Σ exp(x[i] − shift), storing each exp in `out` unless it is NULL.
static float shifted_exp_sum_portable(const float *x, ptrdiff_t count, float shift, float *out) {
    float sum = 0;
    for (ptrdiff_t i = 0; i < count; i++) {
        const float e = expf(x[i] - shift);
        if (out) out[i] = e;
        sum += e;
    }
    return sum;
}

static void softmax_portable(float *x, ptrdiff_t count) {
    const float inverse = 1 / shifted_exp_sum_portable(x, count, maximum_portable(x, count), x);
    for (ptrdiff_t i = 0; i < count; i++) x[i] *= inverse;
}

static float sum_portable(const float *x, ptrdiff_t count) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) {
        s0 += x[i];
        s1 += x[i + 1];
        s2 += x[i + 2];
        s3 += x[i + 3];
    }
    for (; i < count; i++) s0 += x[i];
    return (s0 + s1) + (s2 + s3);
}

// MARK: - AVX2 + FMA

#ifdef I2T_X86
#define I2T_TARGET __attribute__((target("avx2,fma")))

// exp(x) = 2^n · exp(r), n = round(x / ln 2), r = x − n·ln 2 in two FMA steps (Cody–Waite), exp(r) by Cephes' expf
// polynomial. 2^n is applied as two factors 2^(n/2) so that results in the subnormal range round once, as expf's do.
// Inputs are clamped to [−104, 89] (beyond, the result is 0 or inf anyway); NaN stays NaN.
I2T_TARGET static inline __m256 exp8(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-104.0f), _mm256_min_ps(_mm256_set1_ps(89.0f), x));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i exponent = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(exponent, 1), rest = _mm256_sub_epi32(exponent, half);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 first = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
    const __m256 second = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(rest, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, first), second);
}

I2T_TARGET static inline __m256 gelu8(__m256 x) {
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    const __m256 z = _mm256_mul_ps(x, _mm256_set1_ps(INVERSE_SQUARE_ROOT_TWO));
    const __m256 zSign = _mm256_and_ps(sign, z), magnitude = _mm256_xor_ps(zSign, z);
    const __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(_mm256_set1_ps(ERF_P), magnitude, one));
    __m256 polynomial = _mm256_fmadd_ps(_mm256_set1_ps(ERF_A5), t, _mm256_set1_ps(ERF_A4));
    polynomial = _mm256_fmadd_ps(polynomial, t, _mm256_set1_ps(ERF_A3));
    polynomial = _mm256_fmadd_ps(polynomial, t, _mm256_set1_ps(ERF_A2));
    polynomial = _mm256_fmadd_ps(polynomial, t, _mm256_set1_ps(ERF_A1));
    const __m256 decay = exp8(_mm256_xor_ps(sign, _mm256_mul_ps(z, z)));
    const __m256 erf = _mm256_xor_ps(zSign, _mm256_fnmadd_ps(_mm256_mul_ps(decay, t), polynomial, one));
    return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)), _mm256_add_ps(one, erf));
}

I2T_TARGET static inline __m256 activate8(i2t_activation activation, __m256 x) {
    switch (activation) {
    case I2T_GELU: return gelu8(x);
    case I2T_QUICK_GELU: {
        const __m256 decay = exp8(_mm256_mul_ps(_mm256_set1_ps(-QUICK_GELU_SLOPE), x));
        return _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), decay));
    }
    case I2T_RELU: return _mm256_max_ps(_mm256_setzero_ps(), x);
    }
    return x;
}

I2T_TARGET static void activate_rows_avx2(i2t_activation activation, float *x, ptrdiff_t ldx, ptrdiff_t rows, ptrdiff_t width) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *row = x + r * ldx;
        ptrdiff_t i = 0;
        for (; i + 8 <= width; i += 8) _mm256_storeu_ps(row + i, activate8(activation, _mm256_loadu_ps(row + i)));
        for (; i < width; i++) row[i] = activate_portable(activation, row[i]);
    }
}

I2T_TARGET static void add_rows_avx2(float *x, ptrdiff_t ldx, const float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        float *target = x + r * ldx;
        const float *source = y + r * ldy;
        ptrdiff_t i = 0;
        for (; i + 8 <= width; i += 8)
            _mm256_storeu_ps(target + i, _mm256_add_ps(_mm256_loadu_ps(target + i), _mm256_loadu_ps(source + i)));
        for (; i < width; i++) target[i] += source[i];
    }
}

I2T_TARGET static inline double horizontal_sum_double(__m256d v) {
    const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

I2T_TARGET static void layer_norm_row_avx2(const float *v, ptrdiff_t width, const float *gamma, const float *beta,
                                           float epsilon, float *out) {
    const ptrdiff_t vectorWidth = width / 8 * 8;
    __m256d s0 = _mm256_setzero_pd(), s1 = s0;
    for (ptrdiff_t i = 0; i < vectorWidth; i += 8) {
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(v + i)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_loadu_ps(v + i + 4)));
    }
    double sum = horizontal_sum_double(_mm256_add_pd(s0, s1));
    for (ptrdiff_t i = vectorWidth; i < width; i++) sum += v[i];
    const double mean = sum / (double)width;
    const __m256d center = _mm256_set1_pd(mean);
    __m256d q0 = _mm256_setzero_pd(), q1 = q0;
    for (ptrdiff_t i = 0; i < vectorWidth; i += 8) {
        const __m256d c0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(v + i)), center);
        const __m256d c1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(v + i + 4)), center);
        q0 = _mm256_fmadd_pd(c0, c0, q0);
        q1 = _mm256_fmadd_pd(c1, c1, q1);
    }
    double squares = horizontal_sum_double(_mm256_add_pd(q0, q1));
    for (ptrdiff_t i = vectorWidth; i < width; i++) squares += ((double)v[i] - mean) * ((double)v[i] - mean);
    const double inverseDeviation = 1 / sqrt(squares / (double)width + (double)epsilon);
    const float meanFloat = (float)mean, scale = (float)inverseDeviation;
    const __m256 meanVector = _mm256_set1_ps(meanFloat), scaleVector = _mm256_set1_ps(scale);
    for (ptrdiff_t i = 0; i < vectorWidth; i += 8) {
        const __m256 normed = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(v + i), meanVector), scaleVector);
        _mm256_storeu_ps(out + i, _mm256_fmadd_ps(normed, _mm256_loadu_ps(gamma + i), _mm256_loadu_ps(beta + i)));
    }
    normalize_tail(v, out, vectorWidth, width, meanFloat, scale, gamma, beta);
}

I2T_TARGET static float maximum_avx2(const float *x, ptrdiff_t count) {
    const ptrdiff_t vectorCount = count / 8 * 8;
    __m256 largest = _mm256_set1_ps(-INFINITY);
    for (ptrdiff_t i = 0; i < vectorCount; i += 8) largest = _mm256_max_ps(largest, _mm256_loadu_ps(x + i));
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(largest), _mm256_extractf128_ps(largest, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    float maximum = _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
    for (ptrdiff_t i = vectorCount; i < count; i++) maximum = fmaxf(maximum, x[i]);
    return maximum;
}

// Σ exp(x[i] − shift), storing each exp in `out` unless it is NULL.
I2T_TARGET static float shifted_exp_sum_avx2(const float *x, ptrdiff_t count, float shift, float *out) {
    const ptrdiff_t vectorCount = count / 8 * 8;
    const __m256 shiftVector = _mm256_set1_ps(shift);
    __m256 sums = _mm256_setzero_ps();
    for (ptrdiff_t i = 0; i < vectorCount; i += 8) {
        const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), shiftVector));
        if (out) _mm256_storeu_ps(out + i, e);
        sums = _mm256_add_ps(sums, e);
    }
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(sums), _mm256_extractf128_ps(sums, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    float sum = _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    for (ptrdiff_t i = vectorCount; i < count; i++) {
        const float e = expf(x[i] - shift);
        if (out) out[i] = e;
        sum += e;
    }
    return sum;
}

I2T_TARGET static void softmax_avx2(float *x, ptrdiff_t count) {
    const ptrdiff_t vectorCount = count / 8 * 8;
    const float inverse = 1 / shifted_exp_sum_avx2(x, count, maximum_avx2(x, count), x);
    const __m256 scale = _mm256_set1_ps(inverse);
    for (ptrdiff_t i = 0; i < vectorCount; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), scale));
    for (ptrdiff_t i = vectorCount; i < count; i++) x[i] *= inverse;
}

I2T_TARGET static float sum_avx2(const float *x, ptrdiff_t count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_add_ps(s0, s1));
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (; i < count; i++) sum += x[i];
    return sum;
}
#endif

// MARK: - Entry points

void i2t_activate_rows(i2t_activation activation, float *x, ptrdiff_t ldx, ptrdiff_t rows, ptrdiff_t width) {
#ifdef I2T_X86
    if (i2t_uses_avx2()) {
        activate_rows_avx2(activation, x, ldx, rows, width);
        return;
    }
#endif
    activate_rows_portable(activation, x, ldx, rows, width);
}

void i2t_add_rows(float *x, ptrdiff_t ldx, const float *y, ptrdiff_t ldy, ptrdiff_t rows, ptrdiff_t width) {
#ifdef I2T_X86
    if (i2t_uses_avx2()) {
        add_rows_avx2(x, ldx, y, ldy, rows, width);
        return;
    }
#endif
    add_rows_portable(x, ldx, y, ldy, rows, width);
}

void i2t_layer_norm_rows(const float *x, ptrdiff_t ldx, const float *residual, ptrdiff_t ldr, ptrdiff_t rows,
                         ptrdiff_t width, const float *gamma, const float *beta, float epsilon, float *out, ptrdiff_t ldo) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *row = x + r * ldx;
        float *target = out + r * ldo;
        if (residual) {  // the sum first, in float, as PyTorch adds before its LayerNorm
            for (ptrdiff_t i = 0; i < width; i++) target[i] = row[i] + residual[r * ldr + i];
            row = target;
        }
#ifdef I2T_X86
        if (i2t_uses_avx2()) {
            layer_norm_row_avx2(row, width, gamma, beta, epsilon, target);
            continue;
        }
#endif
        layer_norm_row_portable(row, width, gamma, beta, epsilon, target);
    }
}

float i2t_exp_sum(const float *x, ptrdiff_t count, float *maximum) {
#ifdef I2T_X86
    if (i2t_uses_avx2()) {
        *maximum = maximum_avx2(x, count);
        return shifted_exp_sum_avx2(x, count, *maximum, 0);
    }
#endif
    *maximum = maximum_portable(x, count);
    return shifted_exp_sum_portable(x, count, *maximum, 0);
}

float i2t_sum(const float *x, ptrdiff_t count) {
#ifdef I2T_X86
    if (i2t_uses_avx2()) return sum_avx2(x, count);
#endif
    return sum_portable(x, count);
}

void i2t_softmax(float *x, ptrdiff_t count) {
#ifdef I2T_X86
    if (i2t_uses_avx2()) {
        softmax_avx2(x, count);
        return;
    }
#endif
    softmax_portable(x, count);
}
