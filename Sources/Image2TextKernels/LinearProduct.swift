import CKernels

/// `nn.Linear` products, `output[r] = bias + weight · input[r]`, for a weight of any ``WeightType``, split over the
/// kernel threads by output columns (each part reads its own rows of the weight):
/// - up to 8 rows (the decode step: one row per sequence): our kernel, one pass over the weights per call, at memory
///   speed. BLAS libraries run such small-M products far below it: OpenBLAS 0.3.21's sgemm takes 2–3× longer for 2–8
///   rows (`image2text bench` prints both). One float32 row goes to BLAS sgemv, which is as fast;
/// - more rows: BLAS sgemm, after widening reduced-precision weights to float32 part by part (the image tokens'
///   products, where widening costs little beside the arithmetic).
///
/// What follows the product (an activation, or adding it to a residual) is done by the part that computed the
/// columns, while they are still in its cache.
public enum LinearProduct {
    /// Largest number of rows that go to our kernel.
    public static let maximumKernelRows = 8

    /// Float32 elements one part widens for sgemm (4 MB): every vision-encoder weight in a few parts, the LM head in many.
    static let widenedPartElements = 1 << 20

    /// Fewest output columns of an sgemm part: narrower parts lose more to BLAS's per-call packing of the input than
    /// they gain in balance.
    static let minimumGEMMColumns = 64

    /// What is done with `bias + weight · input`.
    public enum Epilogue: Sendable {
        /// Stored in the output.
        case store
        /// Passed through an activation function, then stored.
        case activate(ActivationKernel)
        /// Added to the output (a residual connection).
        case accumulate
    }

    /// One product of a shared input: the output has `weight.rows` columns.
    public struct Product: @unchecked Sendable {
        public let weight: WeightMatrix
        public let bias: UnsafePointer<Float>?
        public let output: UnsafeMutablePointer<Float>
        public let epilogue: Epilogue

        public init(weight: WeightMatrix, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                    epilogue: Epilogue = .store) {
            (self.weight, self.bias, self.output, self.epilogue) = (weight, bias, output, epilogue)
        }
    }

    private enum Path { case kernel, sgemv, sgemm }

    /// `output[r] = bias + weight · input[r]` (then `epilogue`) for `rows` rows of `weight.columns` inputs (`output`
    /// row `r` at `r · weight.rows`).
    public static func apply(weight: WeightMatrix, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, rows: Int,
                             output: UnsafeMutablePointer<Float>, epilogue: Epilogue = .store) {
        run([Product(weight: weight, bias: bias, output: output, epilogue: epilogue)], input: input, rows: rows, path: nil)
    }

    /// Several products of the same input (a layer's query, key and value) in one run of the kernel threads.
    public static func apply(_ products: [Product], input: UnsafePointer<Float>, rows: Int) {
        run(products, input: input, rows: rows, path: nil)
    }

    /// Our kernel alone, whatever the row count: what benchmarks compare with BLAS.
    public static func kernel(weight: WeightMatrix, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, rows: Int,
                              output: UnsafeMutablePointer<Float>) {
        run([Product(weight: weight, bias: bias, output: output)], input: input, rows: rows, path: .kernel)
    }

    private static func run(_ products: [Product], input: UnsafePointer<Float>, rows: Int, path forced: Path?) {
        let threads = KernelThreads.available
        let parts = products.indices.flatMap { index in
            let path = forced ?? path(for: products[index].weight, rows: rows)
            return columnRanges(products[index].weight, rows: rows, path: path, threads: threads).map { (index, path, $0) }
        }
        KernelThreads.run(parts: parts.count) { part in
            let (index, path, columns) = parts[part]
            compute(products[index], path: path, columns: columns, input: input, rows: rows)
        }
    }

    private static func path(for weight: WeightMatrix, rows: Int) -> Path {
        if rows == 1 && weight.type == .float32 { return .sgemv }
        return rows <= maximumKernelRows ? .kernel : .sgemm
    }

    /// The output columns of each part: multiples of 16 wide (BLAS's and our kernel's tiles) but the last.
    private static func columnRanges(_ weight: WeightMatrix, rows: Int, path: Path, threads: Int) -> [Range<Int>] {
        let (inFeatures, outFeatures) = (weight.columns, weight.rows)
        var parts: Int
        switch path {
        case .kernel, .sgemv:
            // A part costs a few microseconds: only large weights are split, one part per thread (memory-bound).
            parts = inFeatures * outFeatures >= 1 << 18 ? min(threads, outFeatures / 64) : 1
        case .sgemm:
            // Three parts per thread, taken as threads come free, keep the threads busy on a shared machine.
            parts = threads > 1 && rows * inFeatures * outFeatures >= 1 << 21 ? min(3 * threads, outFeatures / minimumGEMMColumns) : 1
            if weight.type != .float32 {
                parts = max(parts, (inFeatures * outFeatures + widenedPartElements - 1) / widenedPartElements)
            }
        }
        parts = max(1, parts)
        let width = ((outFeatures + parts - 1) / parts + 15) / 16 * 16
        return stride(from: 0, to: outFeatures, by: width).map { $0..<min(outFeatures, $0 + width) }
    }

    private static func compute(_ product: Product, path: Path, columns: Range<Int>, input: UnsafePointer<Float>, rows: Int) {
        let weight = product.weight
        let (inFeatures, outFeatures, width) = (weight.columns, weight.rows, columns.count)
        let output = product.output + columns.lowerBound  // the part's first column; rows `outFeatures` apart
        let accumulates = if case .accumulate = product.epilogue { true } else { false }
        switch path {
        case .kernel:
            if accumulates {
                // The kernel writes columns `columns` of a `width`-wide block: its origin is `columns.lowerBound` before.
                let sums = KernelThreads.scratch(rows * width)
                i2t_linear_rows(weight.type.kernelType, weight.values, weight.scales, inFeatures, columns.lowerBound,
                                columns.upperBound, input, inFeatures, rows, product.bias, sums - columns.lowerBound, width)
                i2t_add_rows(output, outFeatures, sums, width, rows, width)
            } else {
                i2t_linear_rows(weight.type.kernelType, weight.values, weight.scales, inFeatures, columns.lowerBound,
                                columns.upperBound, input, inFeatures, rows, product.bias, product.output, outFeatures)
            }
        case .sgemv, .sgemm:
            // BLAS adds to what the output holds: the bias, or the residual plus the bias.
            if let bias = product.bias {
                if accumulates {
                    i2t_add_rows(output, outFeatures, bias + columns.lowerBound, 0, rows, width)
                } else {
                    for row in 0..<rows { (output + row * outFeatures).update(from: bias + columns.lowerBound, count: width) }
                }
            } else if !accumulates {
                for row in 0..<rows { (output + row * outFeatures).update(repeating: 0, count: width) }
            }
            let weights: UnsafePointer<Float>
            if weight.type == .float32 {
                weights = weight.values.assumingMemoryBound(to: Float.self) + columns.lowerBound * inFeatures
            } else {
                let widened = KernelThreads.scratch(width * inFeatures)
                weight.widen(rows: columns, into: widened)
                weights = UnsafePointer(widened)
            }
            if path == .sgemv {
                BLAS.sgemv(m: width, n: inFeatures, a: weights, lda: inFeatures, x: input, y: output, beta: 1)
            } else {
                BLAS.sgemm(m: rows, n: width, k: inFeatures, a: input, lda: inFeatures, b: weights, ldb: inFeatures,
                           transposeB: true, c: output, ldc: outFeatures, beta: 1)
            }
        }
        if case .activate(let function) = product.epilogue {
            function.apply(output, rows: rows, width: width, stride: outFeatures)
        }
    }
}
