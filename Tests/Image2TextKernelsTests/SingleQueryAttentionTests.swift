import Foundation
import Testing
import Image2TextKernels

/// One query's attention against a Double reference: two blocks, a visible prefix that ends inside the second block,
/// head sizes that are and are not multiples of the vector width, with the AVX2 and the portable kernels.
@Suite(.serialized) struct SingleQueryAttentionTests {
    @Test("equals softmax(q·kᵀ·scale)·v per head", arguments: [false, true])
    func matchesReference(portable: Bool) {
        KernelVariant.forcePortable(portable)
        defer { KernelVariant.forcePortable(false) }
        for (heads, headDimension) in [(12, 64), (3, 12), (2, 5)] {
            let width = heads * headDimension
            let counts = [197, 9]
            func values(_ count: Int, _ seed: Int) -> [Float] { (0..<count).map { Float(sin(Double($0 * 31 + seed) * 0.71)) * 2 } }
            let keys = counts.enumerated().map { values($1 * width, 10 + $0) }, rows = counts.enumerated().map { values($1 * width, 20 + $0) }
            let query = values(width, 3)
            let scale = 1 / Float(headDimension).squareRoot()
            for visible in [1, 197, 200, 206] {
                var output = [Float](repeating: .nan, count: width)
                keys[0].withUnsafeBufferPointer { k0 in keys[1].withUnsafeBufferPointer { k1 in
                    rows[0].withUnsafeBufferPointer { v0 in rows[1].withUnsafeBufferPointer { v1 in
                        SingleQueryAttention.apply(query: query, keys: [k0.baseAddress!, k1.baseAddress!], values: [v0.baseAddress!, v1.baseAddress!],
                                                   counts: counts, visible: visible, heads: heads, headDimension: headDimension,
                                                   scale: scale, output: &output)
                    } }
                } }
                let keyRows = (keys[0] + keys[1]), valueRows = (rows[0] + rows[1])
                var worst = 0.0
                for head in 0..<heads {
                    let columns = head * headDimension..<(head + 1) * headDimension
                    let scores = (0..<visible).map { key in
                        columns.reduce(0.0) { $0 + Double(query[$1]) * Double(keyRows[key * width + $1]) } * Double(scale)
                    }
                    let top = scores.max()!
                    let weights = scores.map { Foundation.exp($0 - top) }, sum = weights.reduce(0, +)
                    for column in columns {
                        let expected = (0..<visible).reduce(0.0) { $0 + weights[$1] / sum * Double(valueRows[$1 * width + column]) }
                        worst = max(worst, abs(Double(output[column]) - expected))
                    }
                }
                #expect(worst <= 2e-5, "\(heads)×\(headDimension), \(visible) visible, portable \(portable): max |Δ| \(worst)")
            }
        }
    }
}
