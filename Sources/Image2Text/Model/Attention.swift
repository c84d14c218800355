import Image2TextKernels

/// Multi-head scaled dot-product attention over one or more blocks of keys and values (the image block and the
/// text block of GIT's decoder), without concatenating them.
///
/// Queries, keys and values are row-major with all heads side by side in a row (head h uses columns
/// h·headDimension ..< (h+1)·headDimension), the layout `nn.Linear` produces.
struct Attention {
    /// A block of keys and values, `count × width` row-major each.
    struct Block {
        let keys: [Float]
        let values: [Float]
    }

    /// A block as the products read it: `count` rows of `width` floats each.
    private struct RawBlock {
        let keys: UnsafePointer<Float>
        let values: UnsafePointer<Float>
        let count: Int
    }

    /// Which keys a query may see.
    enum Visibility {
        /// Every key of every block.
        case all
        /// Every key of the earlier blocks, and in the last block the keys `0 ... offset + q` for query q:
        /// causal attention for queries at positions `offset, offset + 1, …` of the last block.
        case causalInLastBlock(offset: Int)
        /// An additive mask, `queries × total keys` row-major (0 = visible, a large negative number = hidden), as
        /// transformers builds it; used by the uncached reference forward pass.
        case additiveMask([Float])
    }

    let heads: Int
    let headDimension: Int
    var width: Int { heads * headDimension }

    /// Returns the `queries.rows × width` context vectors: for every head, softmax(q·kᵀ/√d + mask)·v.
    func callAsFunction(queries: Matrix, blocks: [Block], visibility: Visibility) -> Matrix {
        precondition(queries.columns == width)
        func withRawBlocks(_ index: Int, _ raw: [RawBlock]) -> Matrix {
            guard index < blocks.count else {
                return queries.values.withUnsafeBufferPointer {
                    attend(queries: $0.baseAddress!, queryCount: queries.rows, blocks: raw, visibility: visibility)
                }
            }
            return blocks[index].keys.withUnsafeBufferPointer { keys in
                blocks[index].values.withUnsafeBufferPointer { values in
                    withRawBlocks(index + 1, raw + [RawBlock(keys: keys.baseAddress!, values: values.baseAddress!, count: keys.count / width)])
                }
            }
        }
        return withRawBlocks(0, [])
    }

    private func attend(queries: UnsafePointer<Float>, queryCount: Int, blocks: [RawBlock], visibility: Visibility) -> Matrix {
        let keyCount = blocks.reduce(0) { $0 + $1.count }
        let lastBlockCount = blocks.last?.count ?? 0
        let scale = 1 / Float(headDimension).squareRoot()
        var context = Matrix(rows: queryCount, columns: width)
        context.values.withUnsafeMutableBufferPointer { contextBuffer in
            let context = contextBuffer.baseAddress!
            if queryCount == 1, let visible = visibleKeys(visibility, query: 0, keyCount: keyCount, lastBlockCount: lastBlockCount) {
                SingleQueryAttention.apply(query: queries, keys: blocks.map(\.keys), values: blocks.map(\.values),
                                           counts: blocks.map(\.count), visible: visible, heads: heads,
                                           headDimension: headDimension, scale: scale, output: context)
                return
            }
            // Heads are independent: each is one part of a kernel-thread run, with its scores in the thread's scratch.
            KernelThreads.run(parts: heads) { head in
                let scores = KernelThreads.scratch(queryCount * keyCount)
                let column = head * headDimension
                var offset = 0
                for block in blocks {
                    BLAS.sgemm(m: queryCount, n: block.count, k: headDimension, a: queries + column, lda: width,
                               b: block.keys + column, ldb: width, transposeB: true,
                               c: scores + offset, ldc: keyCount, alpha: scale)
                    offset += block.count
                }
                for query in 0..<queryCount {
                    let row = scores + query * keyCount
                    if case .additiveMask(let mask) = visibility {
                        mask.withUnsafeBufferPointer { RowKernels.add(row, $0.baseAddress! + query * keyCount, count: keyCount) }
                    }
                    let visible = visibleKeys(visibility, query: query, keyCount: keyCount, lastBlockCount: lastBlockCount) ?? keyCount
                    RowKernels.softmax(row, count: visible)
                    (row + visible).update(repeating: 0, count: keyCount - visible)
                }
                offset = 0
                for (index, block) in blocks.enumerated() {
                    BLAS.sgemm(m: queryCount, n: headDimension, k: block.count, a: scores + offset, lda: keyCount,
                               b: block.values + column, ldb: width, transposeB: false,
                               c: context + column, ldc: width, beta: index == 0 ? 0 : 1)
                    offset += block.count
                }
            }
        }
        return context
    }

    /// How many keys, in block order, query `query` sees; nil for a mask (which hides keys anywhere).
    private func visibleKeys(_ visibility: Visibility, query: Int, keyCount: Int, lastBlockCount: Int) -> Int? {
        switch visibility {
        case .all: keyCount
        case .causalInLastBlock(let offset): keyCount - lastBlockCount + offset + query + 1
        case .additiveMask: nil
        }
    }
}
