// Small-M linear layers for the decode step. The AVX2 + FMA variant is compiled with a target attribute and chosen
// at run time, so the package needs no -march flags (no unsafeFlags) and still runs on any x86-64 or ARM CPU.
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define I2T_X86 1
#include <immintrin.h>
#endif

// Portable path: four accumulators per dot product; the compiler vectorises it for the baseline target.
static void linear_rows_portable(const float *w, ptrdiff_t in, ptrdiff_t outBegin, ptrdiff_t outEnd,
                                 const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                                 const float *bias, float *y, ptrdiff_t ldy) {
    for (ptrdiff_t o = outBegin; o < outEnd; o++) {
        const float *wo = w + o * in;
        for (ptrdiff_t r = 0; r < rows; r++) {
            const float *xr = x + r * ldx;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            ptrdiff_t i = 0;
            for (; i + 4 <= in; i += 4) {
                s0 += wo[i] * xr[i];
                s1 += wo[i + 1] * xr[i + 1];
                s2 += wo[i + 2] * xr[i + 2];
                s3 += wo[i + 3] * xr[i + 3];
            }
            for (; i < in; i++) s0 += wo[i] * xr[i];
            y[r * ldy + o] = (bias ? bias[o] : 0.0f) + ((s0 + s1) + (s2 + s3));
        }
    }
}

#ifdef I2T_X86
__attribute__((target("avx2,fma")))
static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Two weight rows × up to four input rows at a time: eight independent FMA chains, each weight vector loaded once
// for all input rows of the group.
__attribute__((target("avx2,fma")))
static void linear_rows_avx2(const float *w, ptrdiff_t in, ptrdiff_t outBegin, ptrdiff_t outEnd,
                             const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                             const float *bias, float *y, ptrdiff_t ldy) {
    if (in % 8 != 0) {
        linear_rows_portable(w, in, outBegin, outEnd, x, ldx, rows, bias, y, ldy);
        return;
    }
    for (ptrdiff_t r0 = 0; r0 < rows; r0 += 4) {
        const ptrdiff_t group = rows - r0 < 4 ? rows - r0 : 4;
        const float *xs[4];
        for (int r = 0; r < 4; r++) xs[r] = x + (r0 + (r < group ? r : 0)) * ldx;
        ptrdiff_t o = outBegin;
        for (; o + 2 <= outEnd; o += 2) {
            const float *wa = w + o * in, *wb = wa + in;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (ptrdiff_t i = 0; i < in; i += 8) {
                const __m256 va = _mm256_loadu_ps(wa + i), vb = _mm256_loadu_ps(wb + i);
                const __m256 x0 = _mm256_loadu_ps(xs[0] + i);
                a0 = _mm256_fmadd_ps(va, x0, a0);
                b0 = _mm256_fmadd_ps(vb, x0, b0);
                if (group > 1) {
                    const __m256 x1 = _mm256_loadu_ps(xs[1] + i);
                    a1 = _mm256_fmadd_ps(va, x1, a1);
                    b1 = _mm256_fmadd_ps(vb, x1, b1);
                }
                if (group > 2) {
                    const __m256 x2 = _mm256_loadu_ps(xs[2] + i), x3 = _mm256_loadu_ps(xs[3] + i);
                    a2 = _mm256_fmadd_ps(va, x2, a2);
                    b2 = _mm256_fmadd_ps(vb, x2, b2);
                    a3 = _mm256_fmadd_ps(va, x3, a3);
                    b3 = _mm256_fmadd_ps(vb, x3, b3);
                }
            }
            const __m256 as[4] = {a0, a1, a2, a3}, bs[4] = {b0, b1, b2, b3};
            for (ptrdiff_t r = 0; r < group; r++) {
                y[(r0 + r) * ldy + o] = (bias ? bias[o] : 0.0f) + horizontal_sum(as[r]);
                y[(r0 + r) * ldy + o + 1] = (bias ? bias[o + 1] : 0.0f) + horizontal_sum(bs[r]);
            }
        }
        if (o < outEnd) linear_rows_portable(w, in, o, outEnd, x + r0 * ldx, ldx, group, bias, y + r0 * ldy, ldy);
    }
}
#endif

typedef void (*linear_rows_fn)(const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t,
                               const float *, float *, ptrdiff_t);

static linear_rows_fn chosen(void) {
#ifdef I2T_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return linear_rows_avx2;
#endif
    return linear_rows_portable;
}

int i2t_uses_avx2(void) {
#ifdef I2T_X86
    return chosen() == linear_rows_avx2;
#else
    return 0;
#endif
}

void i2t_linear_rows_f32(const float *w, ptrdiff_t in, ptrdiff_t outBegin, ptrdiff_t outEnd,
                         const float *x, ptrdiff_t ldx, ptrdiff_t rows,
                         const float *bias, float *y, ptrdiff_t ldy) {
    static linear_rows_fn kernel = 0;
    linear_rows_fn chosen_kernel = __atomic_load_n(&kernel, __ATOMIC_ACQUIRE);
    if (!chosen_kernel) {  // racing threads all store the same pointer
        chosen_kernel = chosen();
        __atomic_store_n(&kernel, chosen_kernel, __ATOMIC_RELEASE);
    }
    chosen_kernel(w, in, outBegin, outEnd, x, ldx, rows, bias, y, ldy);
}
