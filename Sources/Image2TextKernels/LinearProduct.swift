import CKernels

/// `nn.Linear` products, `output[r] = bias + weight · input[r]`, for a weight of any ``WeightType``, split over the
/// kernel threads by output columns (each part reads its own rows of the weight):
/// - up to 8 rows (the decode step: one row per sequence): our kernel, one pass over the weights per call, at memory
///   speed. BLAS libraries run such small-M products far below it: OpenBLAS 0.3.21's sgemm takes 2–3× longer for 2–8
///   rows, and its sgemv takes 1.2–1.6× as long for one float32 row of the LM head's shape on this project's Zen 5
///   machine (`image2text bench` prints all three);
/// - more rows: BLAS sgemm, after widening reduced-precision weights to float32 part by part (the image tokens'
///   products, where widening costs little beside the arithmetic).
///
/// What follows the product (an activation, or adding it to a residual) is done by the part that computed the
/// columns, while they are still in its cache.
public enum LinearProduct {
    /// Largest number of rows that go to our kernel.
    public static let maximumKernelRows = 8

    /// Float32 elements widened at a time for sgemm, in the thread's scratch (4 MB).
    static let widenedPartElements = 1 << 20

    /// Output columns of an sgemm part. OpenBLAS runs the image tokens' products as fast in parts of 128 columns as
    /// whole (narrower parts lose to its per-call packing of the input). The parts do not depend on the thread count:
    /// BLAS's result for an element can depend on the shape of the call (OpenBLAS takes another kernel for small
    /// products), so the same calls on any number of threads give the same bits.
    static let gemmPartColumns = 128
    static let maximumGEMMParts = 12

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

    private enum Path { case kernel, sgemm }

    /// `output[r] = bias + weight · input[r]` (then `epilogue`) for `rows` rows of `weight.columns` inputs (`output`
    /// row `r` at `r · weight.rows`).
    public static func apply(weight: WeightMatrix, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, rows: Int,
                             output: UnsafeMutablePointer<Float>, epilogue: Epilogue = .store) {
        apply([Product(weight: weight, bias: bias, output: output, epilogue: epilogue)], input: input, rows: rows)
    }

    /// Several products of the same input (a layer's query, key and value) in one run of the kernel threads.
    public static func apply(_ products: [Product], input: UnsafePointer<Float>, rows: Int) {
        run(products, input: input, rows: rows, path: rows <= maximumKernelRows ? .kernel : .sgemm)
    }

    /// Our kernel alone, whatever the row count: what benchmarks compare with BLAS.
    public static func kernel(weight: WeightMatrix, bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, rows: Int,
                              output: UnsafeMutablePointer<Float>) {
        run([Product(weight: weight, bias: bias, output: output)], input: input, rows: rows, path: .kernel)
    }

    private static func run(_ products: [Product], input: UnsafePointer<Float>, rows: Int, path: Path) {
        let pieces = split(products.map(\.weight), rows: rows, path: path, threads: KernelThreads.available)
        KernelThreads.run(parts: pieces.count) { part in
            for (index, columns) in pieces[part] {
                compute(products[index], path: path, columns: columns, input: input, rows: rows)
            }
        }
    }

    /// The pieces each part computes: the products' output columns side by side, cut into near-equal parts on
    /// multiples of 16 (BLAS's and our kernel's tiles) within each product. A part may span products: the fewer
    /// the parts, the fewer times BLAS packs the shared input, and with equal parts the threads finish together.
    private static func split(_ weights: [WeightMatrix], rows: Int, path: Path, threads: Int) -> [[(product: Int, columns: Range<Int>)]] {
        let total = weights.reduce(0) { $0 + $1.rows }
        let inFeatures = weights.first?.columns ?? 0
        var parts = 1
        switch path {
        case .sgemm:
            // Parts are taken as threads come free: one that falls behind (on a shared machine) holds up the others
            // for a small part only.
            if rows * inFeatures * total >= 1 << 21 { parts = min(maximumGEMMParts, total / gemmPartColumns) }
        case .kernel:
            // Memory-bound: one part per thread; a part costs a few microseconds, so small weights stay whole. Each
            // column's sum is the same whatever the part.
            if threads > 1 && inFeatures * total >= 1 << 18 { parts = min(threads, total / 64) }
        }
        parts = max(1, parts)
        // Cut j at column j · total / parts of the side-by-side columns, moved down to a multiple of 16 in its product.
        let starts = weights.reduce(into: [0]) { $0.append($0.last! + $1.rows) }
        let cuts: [(product: Int, column: Int)] = (0...parts).map { cut in
            let position = cut * total / parts
            guard position < total else { return (weights.count, 0) }
            let product = starts.lastIndex { $0 <= position }!
            return (product, (position - starts[product]) / 16 * 16)
        }
        return (0..<parts).map { part in
            let (from, to) = (cuts[part], cuts[part + 1])
            return (from.product...min(to.product, weights.count - 1)).compactMap { product in
                let begin = product == from.product ? from.column : 0
                let end = product == to.product ? to.column : weights[product].rows
                return begin < end ? (product, begin..<end) : nil
            }
        }
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
        case .sgemm:
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
            if weight.type == .float32 {
                BLAS.sgemm(m: rows, n: width, k: inFeatures, a: input, lda: inFeatures,
                           b: weight.values.assumingMemoryBound(to: Float.self) + columns.lowerBound * inFeatures, ldb: inFeatures,
                           transposeB: true, c: output, ldc: outFeatures, beta: 1)
            } else {
                // Reduced-precision weights are widened to float32 a block of rows at a time, in the thread's scratch.
                let blockRows = max(16, widenedPartElements / inFeatures / 16 * 16)
                let widened = KernelThreads.scratch(min(width, blockRows) * inFeatures)
                for begin in stride(from: columns.lowerBound, to: columns.upperBound, by: blockRows) {
                    let block = begin..<min(columns.upperBound, begin + blockRows)
                    weight.widen(rows: block, into: widened)
                    BLAS.sgemm(m: rows, n: block.count, k: inFeatures, a: input, lda: inFeatures, b: widened, ldb: inFeatures,
                               transposeB: true, c: product.output + begin, ldc: outFeatures, beta: 1)
                }
            }
        }
        if case .activate(let function) = product.epilogue {
            function.apply(output, rows: rows, width: width, stride: outFeatures)
        }
    }
}
