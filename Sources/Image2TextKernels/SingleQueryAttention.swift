import CKernels

/// Multi-head attention of one query, a decoding step's: every key row and then every value row is read once for
/// all heads (per-head BLAS calls would each read a strided slice of every row and pay a call's overhead), with the
/// heads split over the kernel threads.
public enum SingleQueryAttention {
    /// `output[h] = Σ_j softmax_j(scale · query[h] · keys_j[h]) · values_j[h]` for every head `h` (`headDimension`
    /// columns each, side by side in rows of `heads · headDimension` floats) over the first `visible` keys of the
    /// blocks, taken in order; block `b` holds `counts[b]` key rows at `keys[b]` and as many value rows at `values[b]`.
    public static func apply(query: UnsafePointer<Float>, keys: [UnsafePointer<Float>], values: [UnsafePointer<Float>],
                             counts: [Int], visible: Int, heads: Int, headDimension: Int, scale: Float,
                             output: UnsafeMutablePointer<Float>) {
        precondition(keys.count == counts.count && values.count == counts.count && visible <= counts.reduce(0, +))
        let (keyRows, valueRows) = (keys.map { Optional($0) }, values.map { Optional($0) })
        let parts = min(KernelThreads.available, heads)
        KernelThreads.run(parts: parts) { part in
            let (first, end) = (part * heads / parts, (part + 1) * heads / parts)
            i2t_attend_one_query(query, keyRows, valueRows, counts, counts.count, visible, heads * headDimension, headDimension,
                                 first, end, scale, KernelThreads.scratch((end - first) * visible), output)
        }
    }
}
