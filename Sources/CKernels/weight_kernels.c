// Linear layers over stored weights of any supported type (float32, half, bfloat16, int8 with per-row scales), always
// computing in float32. The AVX2 + FMA + F16C variants are compiled with a target attribute and chosen at run time,
// so the package needs no -march flags (no unsafeFlags) and still runs on any x86-64 or ARM CPU through the portable
// variants, which give the same results within float32 rounding.
#include "ckernels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define I2T_X86 1
#include <immintrin.h>
#endif

// MARK: - Element conversions (portable)

static inline float bits_to_float(uint32_t bits) {
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

static inline uint32_t float_to_bits(float value) {
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

static inline float widen_f32(float value) { return value; }

static inline float widen_f16(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    if (exponent == 0) {  // zero or subnormal: mantissa · 2^-24, exact in float32
        const float magnitude = (float)mantissa * 5.9604644775390625e-8f;
        return bits_to_float(float_to_bits(magnitude) | sign);
    }
    if (exponent == 31) return bits_to_float(sign | 0x7f800000u | (mantissa << 13));
    return bits_to_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

static inline float widen_bf16(uint16_t b) { return bits_to_float((uint32_t)b << 16); }

static inline float widen_int8(int8_t q) { return (float)q; }

// Round to nearest even, after F. Giesen's float_to_half_fast3_rtne (public domain).
static inline uint16_t narrow_f16(float value) {
    const uint32_t infinity = 255u << 23, halfOverflow = (127u + 16) << 23, subnormalMagic = ((127u - 15) + (23 - 10) + 1) << 23;
    uint32_t bits = float_to_bits(value);
    const uint32_t sign = bits & 0x80000000u;
    bits ^= sign;
    uint16_t half;
    if (bits >= halfOverflow) {
        half = bits > infinity ? 0x7e00 : 0x7c00;
    } else if (bits < (113u << 23)) {  // the half is subnormal or zero: let float addition round the mantissa
        half = (uint16_t)(float_to_bits(bits_to_float(bits) + bits_to_float(subnormalMagic)) - subnormalMagic);
    } else {
        const uint32_t odd = (bits >> 13) & 1;
        bits += ((uint32_t)(15 - 127) << 23) + 0xfff + odd;
        half = (uint16_t)(bits >> 13);
    }
    return half | (uint16_t)(sign >> 16);
}

static inline uint16_t narrow_bf16(float value) {
    const uint32_t bits = float_to_bits(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);  // quiet NaN
    return (uint16_t)((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

void i2t_narrow_f16(const float *x, ptrdiff_t count, uint16_t *out) {
    for (ptrdiff_t i = 0; i < count; i++) out[i] = narrow_f16(x[i]);
}

void i2t_narrow_bf16(const float *x, ptrdiff_t count, uint16_t *out) {
    for (ptrdiff_t i = 0; i < count; i++) out[i] = narrow_bf16(x[i]);
}

void i2t_quantize_int8_rows(const float *x, ptrdiff_t rows, ptrdiff_t in, int8_t *out, float *scales) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *row = x + r * in;
        float largest = 0;
        for (ptrdiff_t i = 0; i < in; i++) largest = fmaxf(largest, fabsf(row[i]));
        const float scale = largest / 127.0f;
        scales[r] = scale;
        for (ptrdiff_t i = 0; i < in; i++) {
            const float q = scale > 0 ? nearbyintf(row[i] / scale) : 0.0f;  // nearbyintf: half to even by default
            out[r * in + i] = (int8_t)fmaxf(-127.0f, fminf(127.0f, q));
        }
    }
}

// MARK: - Portable kernels

// y = bias + scale · Σ w·x with four accumulators per dot product; the compiler vectorises it for the baseline target.
#define DEFINE_PORTABLE_KERNELS(S, T)                                                                                  \
    static void linear_rows_portable_##S(const void *weights, const float *scales, ptrdiff_t in, ptrdiff_t outBegin,   \
                                         ptrdiff_t outEnd, const float *x, ptrdiff_t ldx, ptrdiff_t rows,             \
                                         const float *bias, float *y, ptrdiff_t ldy) {                                 \
        const T *w = (const T *)weights;                                                                               \
        for (ptrdiff_t o = outBegin; o < outEnd; o++) {                                                                \
            const T *wo = w + o * in;                                                                                  \
            for (ptrdiff_t r = 0; r < rows; r++) {                                                                     \
                const float *xr = x + r * ldx;                                                                         \
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;                                                                  \
                ptrdiff_t i = 0;                                                                                       \
                for (; i + 4 <= in; i += 4) {                                                                          \
                    s0 += widen_##S(wo[i]) * xr[i];                                                                    \
                    s1 += widen_##S(wo[i + 1]) * xr[i + 1];                                                            \
                    s2 += widen_##S(wo[i + 2]) * xr[i + 2];                                                            \
                    s3 += widen_##S(wo[i + 3]) * xr[i + 3];                                                            \
                }                                                                                                      \
                for (; i < in; i++) s0 += widen_##S(wo[i]) * xr[i];                                                    \
                y[r * ldy + o] = (bias ? bias[o] : 0.0f) + (scales ? scales[o] : 1.0f) * ((s0 + s1) + (s2 + s3));    \
            }                                                                                                          \
        }                                                                                                              \
    }                                                                                                                  \
    static void widen_rows_portable_##S(const void *weights, const float *scales, ptrdiff_t in, ptrdiff_t rowBegin,    \
                                        ptrdiff_t rowEnd, float *out) {                                                \
        const T *w = (const T *)weights;                                                                               \
        for (ptrdiff_t r = rowBegin; r < rowEnd; r++) {                                                                \
            const float scale = scales ? scales[r] : 1.0f;                                                             \
            for (ptrdiff_t i = 0; i < in; i++) out[(r - rowBegin) * in + i] = scale * widen_##S(w[r * in + i]);        \
        }                                                                                                              \
    }

DEFINE_PORTABLE_KERNELS(f32, float)
DEFINE_PORTABLE_KERNELS(f16, uint16_t)
DEFINE_PORTABLE_KERNELS(bf16, uint16_t)
DEFINE_PORTABLE_KERNELS(int8, int8_t)

// MARK: - AVX2 + FMA + F16C kernels

#ifdef I2T_X86
#define I2T_TARGET __attribute__((target("avx2,fma,f16c")))

I2T_TARGET static inline __m256 load8_f32(const float *p) { return _mm256_loadu_ps(p); }
I2T_TARGET static inline __m256 load8_f16(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
I2T_TARGET static inline __m256 load8_bf16(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}
I2T_TARGET static inline __m256 load8_int8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

I2T_TARGET static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// The hardware prefetcher alone leaves these one-pass products at a third to a half of the memory bandwidth (the
// weights are read once, with arithmetic between the reads): each step of the inner loop also asks for the part of the
// weight rows two tiles ahead that corresponds to its own progress: `tileBytesTotal` is a whole tile's weight bytes,
// `tileBytes` the tile's bytes per input element, `stepBytes` its bytes per step.
static inline void prefetch_ahead(const void *tileStart, ptrdiff_t tileBytesTotal, ptrdiff_t i, ptrdiff_t tileBytes,
                                  ptrdiff_t stepBytes) {
    const char *ahead = (const char *)tileStart + 2 * tileBytesTotal + i * tileBytes;
    for (ptrdiff_t k = 0; k < stepBytes; k += 64) __builtin_prefetch(ahead + k, 0, 3);
}

I2T_TARGET static inline float finish(__m256 sum, const float *bias, const float *scales, ptrdiff_t o) {
    return (bias ? bias[o] : 0.0f) + (scales ? scales[o] : 1.0f) * horizontal_sum(sum);
}

// One or two input rows take four weight rows at a time, three or four input rows two weight rows at a time: eight
// independent FMA chains either way, and each weight vector is loaded once for all input rows of the group.
#define DEFINE_AVX2_LINEAR(S, T)                                                                                       \
    I2T_TARGET static void linear_rows_avx2_##S(const void *weights, const float *scales, ptrdiff_t in,               \
                                                ptrdiff_t outBegin, ptrdiff_t outEnd, const float *x, ptrdiff_t ldx,   \
                                                ptrdiff_t rows, const float *bias, float *y, ptrdiff_t ldy) {          \
        const T *w = (const T *)weights;                                                                               \
        if (in % 8 != 0) {                                                                                             \
            linear_rows_portable_##S(weights, scales, in, outBegin, outEnd, x, ldx, rows, bias, y, ldy);              \
            return;                                                                                                    \
        }                                                                                                              \
        for (ptrdiff_t r0 = 0; r0 < rows;) {                                                                           \
            const ptrdiff_t left = rows - r0;                                                                          \
            const ptrdiff_t group = left <= 2 ? left : (left < 4 ? left : 4);                                          \
            ptrdiff_t o = outBegin;                                                                                    \
            if (group <= 2) {                                                                                          \
                const float *x0 = x + r0 * ldx, *x1 = x + (r0 + group - 1) * ldx;                                      \
                for (; o + 4 <= outEnd; o += 4) {                                                                      \
                    const T *w0 = w + o * in, *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in;                             \
                    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;    \
                    for (ptrdiff_t i = 0; i < in; i += 8) {                                                            \
                        prefetch_ahead(w0, 4 * in * (ptrdiff_t)sizeof(T), i, 4 * sizeof(T), 32 * sizeof(T));          \
                        const __m256 v0 = load8_##S(w0 + i), v1 = load8_##S(w1 + i);                                   \
                        const __m256 v2 = load8_##S(w2 + i), v3 = load8_##S(w3 + i);                                   \
                        const __m256 u = _mm256_loadu_ps(x0 + i);                                                      \
                        a0 = _mm256_fmadd_ps(v0, u, a0);                                                               \
                        a1 = _mm256_fmadd_ps(v1, u, a1);                                                               \
                        a2 = _mm256_fmadd_ps(v2, u, a2);                                                               \
                        a3 = _mm256_fmadd_ps(v3, u, a3);                                                               \
                        if (group > 1) {                                                                               \
                            const __m256 u1 = _mm256_loadu_ps(x1 + i);                                                 \
                            b0 = _mm256_fmadd_ps(v0, u1, b0);                                                          \
                            b1 = _mm256_fmadd_ps(v1, u1, b1);                                                          \
                            b2 = _mm256_fmadd_ps(v2, u1, b2);                                                          \
                            b3 = _mm256_fmadd_ps(v3, u1, b3);                                                          \
                        }                                                                                              \
                    }                                                                                                  \
                    const __m256 as[4] = {a0, a1, a2, a3}, bs[4] = {b0, b1, b2, b3};                                   \
                    for (int k = 0; k < 4; k++) {                                                                      \
                        y[r0 * ldy + o + k] = finish(as[k], bias, scales, o + k);                                      \
                        if (group > 1) y[(r0 + 1) * ldy + o + k] = finish(bs[k], bias, scales, o + k);                 \
                    }                                                                                                  \
                }                                                                                                      \
            } else {                                                                                                   \
                const float *xs[4];                                                                                    \
                for (int r = 0; r < 4; r++) xs[r] = x + (r0 + (r < group ? r : 0)) * ldx;                              \
                for (; o + 2 <= outEnd; o += 2) {                                                                      \
                    const T *wa = w + o * in, *wb = wa + in;                                                           \
                    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;    \
                    for (ptrdiff_t i = 0; i < in; i += 8) {                                                            \
                        prefetch_ahead(wa, 2 * in * (ptrdiff_t)sizeof(T), i, 2 * sizeof(T), 16 * sizeof(T));          \
                        const __m256 va = load8_##S(wa + i), vb = load8_##S(wb + i);                                   \
                        const __m256 x0 = _mm256_loadu_ps(xs[0] + i), x1 = _mm256_loadu_ps(xs[1] + i);                 \
                        const __m256 x2 = _mm256_loadu_ps(xs[2] + i), x3 = _mm256_loadu_ps(xs[3] + i);                 \
                        a0 = _mm256_fmadd_ps(va, x0, a0);                                                              \
                        b0 = _mm256_fmadd_ps(vb, x0, b0);                                                              \
                        a1 = _mm256_fmadd_ps(va, x1, a1);                                                              \
                        b1 = _mm256_fmadd_ps(vb, x1, b1);                                                              \
                        a2 = _mm256_fmadd_ps(va, x2, a2);                                                              \
                        b2 = _mm256_fmadd_ps(vb, x2, b2);                                                              \
                        a3 = _mm256_fmadd_ps(va, x3, a3);                                                              \
                        b3 = _mm256_fmadd_ps(vb, x3, b3);                                                              \
                    }                                                                                                  \
                    const __m256 as[4] = {a0, a1, a2, a3}, bs[4] = {b0, b1, b2, b3};                                   \
                    for (ptrdiff_t r = 0; r < group; r++) {                                                            \
                        y[(r0 + r) * ldy + o] = finish(as[r], bias, scales, o);                                        \
                        y[(r0 + r) * ldy + o + 1] = finish(bs[r], bias, scales, o + 1);                                \
                    }                                                                                                  \
                }                                                                                                      \
            }                                                                                                          \
            if (o < outEnd)                                                                                            \
                linear_rows_portable_##S(weights, scales, in, o, outEnd, x + r0 * ldx, ldx, group, bias, y + r0 * ldy, \
                                         ldy);                                                                         \
            r0 += group;                                                                                               \
        }                                                                                                              \
    }

#define DEFINE_AVX2_WIDEN(S, T)                                                                                        \
    I2T_TARGET static void widen_rows_avx2_##S(const void *weights, const float *scales, ptrdiff_t in,                 \
                                               ptrdiff_t rowBegin, ptrdiff_t rowEnd, float *out) {                     \
        if (in % 8 != 0) {                                                                                             \
            widen_rows_portable_##S(weights, scales, in, rowBegin, rowEnd, out);                                      \
            return;                                                                                                    \
        }                                                                                                              \
        const T *w = (const T *)weights;                                                                               \
        for (ptrdiff_t r = rowBegin; r < rowEnd; r++) {                                                                \
            const __m256 scale = _mm256_set1_ps(scales ? scales[r] : 1.0f);                                            \
            float *target = out + (r - rowBegin) * in;                                                                 \
            for (ptrdiff_t i = 0; i < in; i += 8)                                                                      \
                _mm256_storeu_ps(target + i, _mm256_mul_ps(scale, load8_##S(w + r * in + i)));                         \
        }                                                                                                              \
    }

DEFINE_AVX2_LINEAR(f32, float)
DEFINE_AVX2_LINEAR(f16, uint16_t)
DEFINE_AVX2_LINEAR(bf16, uint16_t)
DEFINE_AVX2_WIDEN(f32, float)
DEFINE_AVX2_WIDEN(f16, uint16_t)
DEFINE_AVX2_WIDEN(bf16, uint16_t)
DEFINE_AVX2_WIDEN(int8, int8_t)

// int8 weights in integer arithmetic: each input row is first quantised to int16 with its own scale (max |x| / 32767,
// a relative error of 1.5e-5, far below the weights' own int8 rounding), then 16 products at a time go through
// vpmaddwd into int32 lanes. That is half the instructions of widening the weights to float32, which is what bounds
// a one-row product on CPUs with 128-bit vector units. A lane gains at most 2 · 32767 · 127 per step, so the int32
// sums are moved to float32 every 256 steps (4096 inputs), before they could overflow.
#define INT8_BLOCK 4096

I2T_TARGET static void linear_rows_avx2_int8(const void *weights, const float *scales, ptrdiff_t in, ptrdiff_t outBegin,
                                             ptrdiff_t outEnd, const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                                             const float *bias, float *y, ptrdiff_t ldy) {
    const int8_t *w = (const int8_t *)weights;
    if (in % 16 != 0 || rows > 8) {
        linear_rows_portable_int8(weights, scales, in, outBegin, outEnd, x, ldx, rows, bias, y, ldy);
        return;
    }
    int16_t *xq = (int16_t *)aligned_alloc(32, (size_t)(rows * in * 2 + 31) / 32 * 32);
    float xscale[8];
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *row = x + r * ldx;
        __m256 largest = _mm256_setzero_ps();
        for (ptrdiff_t i = 0; i < in; i += 8) largest = _mm256_max_ps(largest, _mm256_and_ps(magnitude, _mm256_loadu_ps(row + i)));
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(largest), _mm256_extractf128_ps(largest, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        const float top = _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
        xscale[r] = top / 32767.0f;
        const __m256 inverse = _mm256_set1_ps(top > 0 ? 32767.0f / top : 0.0f);
        for (ptrdiff_t i = 0; i < in; i += 16) {  // round to nearest even (the default MXCSR mode), pack, restore order
            const __m256i low = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + i), inverse));
            const __m256i high = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(row + i + 8), inverse));
            _mm256_store_si256((__m256i *)(xq + r * in + i), _mm256_permute4x64_epi64(_mm256_packs_epi32(low, high), 0xd8));
        }
    }
    for (ptrdiff_t r0 = 0; r0 < rows;) {
        const ptrdiff_t left = rows - r0;
        const ptrdiff_t group = left <= 2 ? left : (left < 4 ? left : 4);
        const ptrdiff_t tile = group <= 2 ? 4 : 2;  // weight rows per tile: eight accumulators either way
        ptrdiff_t o = outBegin;
        for (; o + tile <= outEnd; o += tile) {
            __m256 total[8];
            for (int k = 0; k < 8; k++) total[k] = _mm256_setzero_ps();
            for (ptrdiff_t block = 0; block < in; block += INT8_BLOCK) {
                const ptrdiff_t end = block + INT8_BLOCK < in ? block + INT8_BLOCK : in;
                __m256i acc[8];
                for (int k = 0; k < 8; k++) acc[k] = _mm256_setzero_si256();
                if (tile == 4) {
                    const int8_t *w0 = w + o * in, *w1 = w0 + in, *w2 = w1 + in, *w3 = w2 + in;
                    const int16_t *x0 = xq + r0 * in, *x1 = xq + (r0 + group - 1) * in;
                    for (ptrdiff_t i = block; i < end; i += 16) {
                        prefetch_ahead(w0, 4 * in, i, 4, 64);
                        const __m256i v0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w0 + i)));
                        const __m256i v1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w1 + i)));
                        const __m256i v2 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w2 + i)));
                        const __m256i v3 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w3 + i)));
                        const __m256i u = _mm256_load_si256((const __m256i *)(x0 + i));
                        acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(v0, u));
                        acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(v1, u));
                        acc[2] = _mm256_add_epi32(acc[2], _mm256_madd_epi16(v2, u));
                        acc[3] = _mm256_add_epi32(acc[3], _mm256_madd_epi16(v3, u));
                        if (group > 1) {
                            const __m256i u1 = _mm256_load_si256((const __m256i *)(x1 + i));
                            acc[4] = _mm256_add_epi32(acc[4], _mm256_madd_epi16(v0, u1));
                            acc[5] = _mm256_add_epi32(acc[5], _mm256_madd_epi16(v1, u1));
                            acc[6] = _mm256_add_epi32(acc[6], _mm256_madd_epi16(v2, u1));
                            acc[7] = _mm256_add_epi32(acc[7], _mm256_madd_epi16(v3, u1));
                        }
                    }
                } else {
                    const int8_t *wa = w + o * in, *wb = wa + in;
                    const int16_t *xs[4];
                    for (int r = 0; r < 4; r++) xs[r] = xq + (r0 + (r < group ? r : 0)) * in;
                    for (ptrdiff_t i = block; i < end; i += 16) {
                        prefetch_ahead(wa, 2 * in, i, 2, 32);
                        const __m256i va = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wa + i)));
                        const __m256i vb = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(wb + i)));
                        for (int r = 0; r < 4; r++) {
                            const __m256i u = _mm256_load_si256((const __m256i *)(xs[r] + i));
                            acc[r] = _mm256_add_epi32(acc[r], _mm256_madd_epi16(va, u));
                            acc[4 + r] = _mm256_add_epi32(acc[4 + r], _mm256_madd_epi16(vb, u));
                        }
                    }
                }
                for (int k = 0; k < 8; k++) total[k] = _mm256_add_ps(total[k], _mm256_cvtepi32_ps(acc[k]));
            }
            for (ptrdiff_t k = 0; k < tile; k++) {
                const float wscale = scales[o + k];
                if (tile == 4) {
                    y[r0 * ldy + o + k] = (bias ? bias[o + k] : 0.0f) + wscale * xscale[r0] * horizontal_sum(total[k]);
                    if (group > 1)
                        y[(r0 + 1) * ldy + o + k] =
                            (bias ? bias[o + k] : 0.0f) + wscale * xscale[r0 + 1] * horizontal_sum(total[4 + k]);
                } else {
                    for (ptrdiff_t r = 0; r < group; r++)
                        y[(r0 + r) * ldy + o + k] =
                            (bias ? bias[o + k] : 0.0f) + wscale * xscale[r0 + r] * horizontal_sum(total[4 * k + r]);
                }
            }
        }
        if (o < outEnd)
            linear_rows_portable_int8(weights, scales, in, o, outEnd, x + r0 * ldx, ldx, group, bias, y + r0 * ldy, ldy);
        r0 += group;
    }
    free(xq);
}
#endif

// MARK: - Run-time dispatch

typedef void (*linear_rows_fn)(const void *, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t,
                               ptrdiff_t, const float *, float *, ptrdiff_t);
typedef void (*widen_rows_fn)(const void *, const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, float *);

struct kernel_table {
    linear_rows_fn linear[4];
    widen_rows_fn widen[4];
    int avx2;
};

static const struct kernel_table portable_table = {
    {linear_rows_portable_f32, linear_rows_portable_f16, linear_rows_portable_bf16, linear_rows_portable_int8},
    {widen_rows_portable_f32, widen_rows_portable_f16, widen_rows_portable_bf16, widen_rows_portable_int8},
    0,
};

#ifdef I2T_X86
static const struct kernel_table avx2_table = {
    {linear_rows_avx2_f32, linear_rows_avx2_f16, linear_rows_avx2_bf16, linear_rows_avx2_int8},
    {widen_rows_avx2_f32, widen_rows_avx2_f16, widen_rows_avx2_bf16, widen_rows_avx2_int8},
    1,
};
#endif

static const struct kernel_table *fastest_table(void) {
#ifdef I2T_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) return &avx2_table;
#endif
    return &portable_table;
}

static const struct kernel_table *table = 0;

static const struct kernel_table *kernels(void) {
    const struct kernel_table *chosen = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (chosen) return chosen;
    chosen = fastest_table();  // racing threads all store the same pointer
    __atomic_store_n(&table, chosen, __ATOMIC_RELEASE);
    return chosen;
}

int i2t_uses_avx2(void) { return kernels()->avx2; }

void i2t_use_portable_kernels(int portable) {
    __atomic_store_n(&table, portable ? &portable_table : fastest_table(), __ATOMIC_RELEASE);
}

void i2t_linear_rows(i2t_weight_type type, const void *w, const float *scales, ptrdiff_t in,
                     ptrdiff_t outBegin, ptrdiff_t outEnd, const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                     const float *bias, float *y, ptrdiff_t ldy) {
    kernels()->linear[type](w, type == I2T_INT8 ? scales : 0, in, outBegin, outEnd, x, ldx, rows, bias, y, ldy);
}

void i2t_widen_rows(i2t_weight_type type, const void *w, const float *scales, ptrdiff_t in,
                    ptrdiff_t rowBegin, ptrdiff_t rowEnd, float *out) {
    kernels()->widen[type](w, type == I2T_INT8 ? scales : 0, in, rowBegin, rowEnd, out);
}
