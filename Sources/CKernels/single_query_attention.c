// One query's multi-head attention (single_query_attention.h). Per-head BLAS calls would each read a strided column
// slice of the keys and pay a call's overhead; here every key row, then every value row, is read once for all heads.
#include "single_query_attention.h"

#include "ckernels.h"
#include "row_kernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define I2T_X86 1
#include <immintrin.h>
#endif

// Scores of one key row for heads [h0, h1): scores[(h − h0) · stride] = scale · query[h] · row[h].
typedef void (*score_row_fn)(const float *query, const float *row, ptrdiff_t headDimension, ptrdiff_t h0, ptrdiff_t h1,
                             float scale, float *scores, ptrdiff_t stride);
// out[h] += weights[(h − h0) · stride] · row[h] for heads [h0, h1).
typedef void (*accumulate_row_fn)(float *out, const float *row, ptrdiff_t headDimension, ptrdiff_t h0, ptrdiff_t h1,
                                  const float *weights, ptrdiff_t stride);

static void score_row_portable(const float *query, const float *row, ptrdiff_t headDimension, ptrdiff_t h0, ptrdiff_t h1,
                               float scale, float *scores, ptrdiff_t stride) {
    for (ptrdiff_t h = h0; h < h1; h++) {
        float sum = 0;
        for (ptrdiff_t i = h * headDimension; i < (h + 1) * headDimension; i++) sum += query[i] * row[i];
        scores[(h - h0) * stride] = scale * sum;
    }
}

static void accumulate_row_portable(float *out, const float *row, ptrdiff_t headDimension, ptrdiff_t h0, ptrdiff_t h1,
                                    const float *weights, ptrdiff_t stride) {
    for (ptrdiff_t h = h0; h < h1; h++) {
        const float weight = weights[(h - h0) * stride];
        for (ptrdiff_t i = h * headDimension; i < (h + 1) * headDimension; i++) out[i] += weight * row[i];
    }
}

#ifdef I2T_X86
#define I2T_TARGET __attribute__((target("avx2,fma")))

// Both need headDimension % 8 == 0. Two accumulators per head keep the FMAs of a head's dot product from waiting on
// each other.
I2T_TARGET static void score_row_avx2(const float *query, const float *row, ptrdiff_t headDimension, ptrdiff_t h0,
                                      ptrdiff_t h1, float scale, float *scores, ptrdiff_t stride) {
    for (ptrdiff_t h = h0; h < h1; h++) {
        __m256 even = _mm256_setzero_ps(), odd = even;
        ptrdiff_t i = h * headDimension;
        const ptrdiff_t end = (h + 1) * headDimension;
        for (; i + 16 <= end; i += 16) {
            even = _mm256_fmadd_ps(_mm256_loadu_ps(query + i), _mm256_loadu_ps(row + i), even);
            odd = _mm256_fmadd_ps(_mm256_loadu_ps(query + i + 8), _mm256_loadu_ps(row + i + 8), odd);
        }
        if (i < end) even = _mm256_fmadd_ps(_mm256_loadu_ps(query + i), _mm256_loadu_ps(row + i), even);
        const __m256 sum = _mm256_add_ps(even, odd);
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        scores[(h - h0) * stride] = scale * _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
}

I2T_TARGET static void accumulate_row_avx2(float *out, const float *row, ptrdiff_t headDimension, ptrdiff_t h0,
                                           ptrdiff_t h1, const float *weights, ptrdiff_t stride) {
    for (ptrdiff_t h = h0; h < h1; h++) {
        const __m256 weight = _mm256_set1_ps(weights[(h - h0) * stride]);
        for (ptrdiff_t i = h * headDimension; i < (h + 1) * headDimension; i += 8)
            _mm256_storeu_ps(out + i, _mm256_fmadd_ps(weight, _mm256_loadu_ps(row + i), _mm256_loadu_ps(out + i)));
    }
}
#endif

void i2t_attend_one_query(const float *query, const float *const *keys, const float *const *values,
                          const ptrdiff_t *counts, ptrdiff_t blocks, ptrdiff_t visible, ptrdiff_t width,
                          ptrdiff_t headDimension, ptrdiff_t headBegin, ptrdiff_t headEnd, float scale, float *scores,
                          float *out) {
    score_row_fn score_row = score_row_portable;
    accumulate_row_fn accumulate_row = accumulate_row_portable;
#ifdef I2T_X86
    if (i2t_uses_avx2() && headDimension % 8 == 0) {
        score_row = score_row_avx2;
        accumulate_row = accumulate_row_avx2;
    }
#endif
    ptrdiff_t key = 0;
    for (ptrdiff_t b = 0; b < blocks && key < visible; b++)
        for (ptrdiff_t r = 0; r < counts[b] && key < visible; r++, key++)
            score_row(query, keys[b] + r * width, headDimension, headBegin, headEnd, scale, scores + key, visible);
    for (ptrdiff_t h = headBegin; h < headEnd; h++) i2t_softmax(scores + (h - headBegin) * visible, visible);
    for (ptrdiff_t i = headBegin * headDimension; i < headEnd * headDimension; i++) out[i] = 0;
    key = 0;
    for (ptrdiff_t b = 0; b < blocks && key < visible; b++)
        for (ptrdiff_t r = 0; r < counts[b] && key < visible; r++, key++)
            accumulate_row(out, values[b] + r * width, headDimension, headBegin, headEnd, scores + key, visible);
}
