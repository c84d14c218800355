#ifndef IMAGE2TEXT_SINGLE_QUERY_ATTENTION_H
#define IMAGE2TEXT_SINGLE_QUERY_ATTENTION_H

#include <stddef.h>

/// Multi-head attention of one query (a decoding step) over the first `visible` keys of `blocks` blocks of keys and
/// values, taken in order (block b holds counts[b] rows of `width` floats: the heads side by side, `headDimension`
/// floats each). For heads [headBegin, headEnd):
///     out[h] = Σ_j softmax_j(scale · query[h] · keys_j[h]) · values_j[h]
/// with out and query laid out as a key row. The keys and then the values are read once, row after row, at memory
/// speed. `scores` holds (headEnd − headBegin) · visible floats.
void i2t_attend_one_query(const float *query, const float *const *keys, const float *const *values,
                          const ptrdiff_t *counts, ptrdiff_t blocks, ptrdiff_t visible, ptrdiff_t width,
                          ptrdiff_t headDimension, ptrdiff_t headBegin, ptrdiff_t headEnd, float scale, float *scores,
                          float *out);

#endif
