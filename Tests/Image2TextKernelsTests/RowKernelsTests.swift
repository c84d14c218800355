import Foundation
import Testing
import Image2TextKernels

/// The row kernels against Double references, with the AVX2 and the portable variants, on widths that are and are
/// not multiples of the vector width.
@Suite(.serialized) struct RowKernelsTests {
    static let widths = [1, 7, 8, 33, 768]

    func values(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(sin(Double($0 * 7919 + seed) * 0.37)) * 6 + Float(seed % 3) }
    }

    @Test("LayerNorm (with and without a residual, in place) equals a Double reference", arguments: [false, true])
    func layerNorm(portable: Bool) {
        KernelVariant.forcePortable(portable)
        defer { KernelVariant.forcePortable(false) }
        for width in Self.widths {
            let rows = 37
            let x = values(rows * width, seed: width), residual = values(rows * width, seed: width + 1)
            let gamma = values(width, seed: 2), beta = values(width, seed: 3)
            for withResidual in [false, true] {
                var output = x
                residual.withUnsafeBufferPointer { residual in
                    output.withUnsafeMutableBufferPointer { output in
                        RowKernels.layerNorm(output.baseAddress!, residual: withResidual ? residual.baseAddress! : nil, rows: rows,
                                             width: width, gamma: gamma, beta: beta, epsilon: 1e-5, output: output.baseAddress!)
                    }
                }
                for row in 0..<rows {
                    let sums = (0..<width).map { Double(x[row * width + $0] + (withResidual ? residual[row * width + $0] : 0)) }
                    let mean = sums.reduce(0, +) / Double(width)
                    let variance = sums.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
                    for i in 0..<width {
                        let expected = (sums[i] - mean) / (variance + 1e-5).squareRoot() * Double(gamma[i]) + Double(beta[i])
                        let ours = Double(output[row * width + i])
                        #expect(abs(ours - expected) <= 1e-5 * max(1, abs(expected)),
                                "width \(width) row \(row) column \(i), residual \(withResidual), portable \(portable): \(ours) vs \(expected)")
                    }
                }
            }
        }
    }

    @Test("softmax equals a Double reference; exp(−inf) is 0 and tiny results stay subnormal", arguments: [false, true])
    func softmax(portable: Bool) {
        KernelVariant.forcePortable(portable)
        defer { KernelVariant.forcePortable(false) }
        for width in Self.widths + [197] {
            var x = values(width, seed: width).map { $0 * 5 }
            let reference = x.map(Double.init)
            x.withUnsafeMutableBufferPointer { RowKernels.softmax($0.baseAddress!, count: width) }
            let maximum = reference.max()!
            let exponentials = reference.map { Foundation.exp($0 - maximum) }
            let sum = exponentials.reduce(0, +)
            for i in 0..<width {
                // x − max is rounded to float first (as in PyTorch): exp's relative error grows with |x − max|.
                let expected = exponentials[i] / sum, rounding = 2e-6 + abs(reference[i] - maximum) * 0x1p-23
                #expect(abs(Double(x[i]) - expected) <= rounding * expected + 1e-45, "width \(width), \(i), portable \(portable)")
            }
        }
        var edges: [Float] = [0, -.infinity, -100, -200, 3, -.infinity, -90, 1, -1000, 2]
        edges.withUnsafeMutableBufferPointer { RowKernels.softmax($0.baseAddress!, count: $0.count) }
        let sum = [0.0, 3, 1, 2].map { Foundation.exp($0 - 3) }.reduce(0, +)
        #expect(edges[1] == 0 && edges[3] == 0 && edges[5] == 0 && edges[8] == 0, "\(edges)")
        for (index, logit) in [(2, -100.0), (6, -90.0)] {
            let expected = Float(Foundation.exp(logit - 3) / sum)
            #expect(edges[index] > 0 && abs(edges[index] - expected) <= expected.ulp, "\(edges[index]) vs \(expected)")
        }
    }

    @Test("log-softmax terms equal a Double reference over a vocabulary-sized row, and leave the row alone",
          arguments: [false, true])
    func logSoftmaxTerms(portable: Bool) {
        KernelVariant.forcePortable(portable)
        defer { KernelVariant.forcePortable(false) }
        for width in Self.widths + [30522] {
            var x = values(width, seed: width).map { $0 * 8 }
            if width > 1 { x[width / 2] = -.infinity }
            let before = x
            let (maximum, logSum) = x.withUnsafeBufferPointer { RowKernels.logSoftmaxTerms($0.baseAddress!, count: width) }
            let reference = x.map(Double.init)
            let largest = reference.max()!
            let expected = Foundation.log(reference.map { Foundation.exp($0 - largest) }.reduce(0, +))
            #expect(Double(maximum) == largest)
            #expect(abs(Double(logSum) - expected) <= 1e-6 * max(1, expected), "width \(width), portable \(portable)")
            #expect(x == before)
        }
    }

    @Test("activations equal Double references", arguments: [false, true])
    func activations(portable: Bool) {
        KernelVariant.forcePortable(portable)
        defer { KernelVariant.forcePortable(false) }
        let inputs = (0..<4001).map { Float($0 - 2000) / 150 } + [0, -0.0, 1e-30, -1e-30, 90, -90, 200, -200]
        let references: [(ActivationKernel, (Double) -> Double, Double)] = [
            // PyTorch's vectorised erf is within 1.5e-7 of erf: the GELU within 1.5e-7 · |x| / 2 beside float rounding.
            (.gelu, { $0 * 0.5 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, 1e-7),
            (.quickGELU, { $0 / (1 + Foundation.exp(-1.702 * $0)) }, 0),
            (.relu, { max($0, 0) }, 0),
        ]
        for (function, reference, absolute) in references {
            for width in Self.widths {
                let rows = (inputs.count + width - 1) / width
                var x = (0..<rows * width).map { inputs[$0 % inputs.count] }
                let original = x
                x.withUnsafeMutableBufferPointer { function.apply($0.baseAddress!, rows: rows, width: width, stride: width) }
                for (ours, input) in zip(x, original) {
                    let expected = reference(Double(input))
                    // The argument of exp is rounded to float first: the relative error grows with |x|.
                    let relative = 1e-6 * max(1, abs(Double(input)))
                    #expect(abs(Double(ours) - expected) <= relative * abs(expected) + absolute * abs(Double(input)) + 1e-38,
                            "\(function)(\(input)) = \(ours), expected \(expected), width \(width), portable \(portable)")
                }
            }
            var special: [Float] = [.nan]
            special.withUnsafeMutableBufferPointer { function.apply($0.baseAddress!, rows: 1, width: 1, stride: 1) }
            #expect(special[0].isNaN, "\(function)(nan)")
        }
    }

    @Test("adding a row to every row, and a block to a block")
    func add() {
        var x = values(5 * 13, seed: 1)
        let original = x, row = values(13, seed: 2)
        x.withUnsafeMutableBufferPointer { RowKernels.add(row: row, to: $0.baseAddress!, rows: 5, width: 13) }
        for i in 0..<x.count { #expect(x[i] == original[i] + row[i % 13]) }
        let y = values(x.count, seed: 3)
        let before = x
        x.withUnsafeMutableBufferPointer { RowKernels.add($0.baseAddress!, y, count: y.count) }
        for i in 0..<x.count { #expect(x[i] == before[i] + y[i]) }
    }
}
