// LOCAL, NOT COMMITTED: timing harness for the perf work.
import Foundation
import Testing
import Image2TextKernels
@testable import Image2Text

@Suite(.enabled(if: ProcessInfo.processInfo.environment["I2T_LOCAL_BENCH"] != nil)) struct ZZLocalBench {
    @Test func timings() throws {
        let env = ProcessInfo.processInfo.environment
        let threads = Int(env["I2T_LOCAL_BENCH"]!)!
        let repeats = Int(env["I2T_REPEATS"] ?? "10")!
        KernelThreads.set(threads)
        let model = try GITModel(directory: URL(fileURLWithPath: "/work/main/tools/reference/.cache/git-base-prng"))
        let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/work/wt-perf/Fixtures/images/chelsea.png"))
        let pixels = try model.imageProcessor.preprocess(image)
        func time(_ body: () throws -> Void) rethrows -> [Double] {
            try body()
            return try (0..<repeats).map { _ in
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            }.sorted()
        }
        if env["I2T_ONLY_PREFILL"] != nil {
            let tokens = try model.imageTokens(pixels)
            for _ in 0..<40 { _ = model.decoder.encode(imageTokens: tokens) }
            return
        }
        let vision = try time { _ = try model.imageTokens(pixels) }
        let tokens = try model.imageTokens(pixels)
        let prefill = time { _ = model.decoder.encode(imageTokens: tokens) }
        func show(_ v: [Double]) -> String { String(format: "min %.1f q1 %.1f med %.1f", v[0], v[v.count / 4], v[v.count / 2]) }
        let shapes = [(197, 768, 768), (197, 3072, 768), (197, 768, 3072)]
        let blas = shapes.map { MachineLimits.sgemmGFLOPS(m: $0.0, n: $0.1, k: $0.2, pooled: false) }
        let pooled = shapes.map { MachineLimits.sgemmGFLOPS(m: $0.0, n: $0.1, k: $0.2, pooled: true) }
        // Independent single-threaded sgemms side by side, one per thread: scaling with no synchronisation at all.
        let (m, n, k) = (197, 3072, 768)
        let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
        let outputs = (0..<threads).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: m * n) }
        var best = Double.infinity
        for _ in 0..<6 {
            let start = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in
                KernelThreads.run(parts: threads) { part in
                    for _ in 0..<10 {
                        BLAS.sgemm(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k, transposeB: true, c: outputs[part], ldc: n)
                    }
                }
            } }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let independent = Double(threads * 10 * 2 * m * n * k) / best / 1e9
        print(String(format: "LOCALBENCH t\(threads) sgemm blas %.0f %.0f %.0f pooled %.0f %.0f %.0f independent %.0f", blas[0], blas[1], blas[2], pooled[0], pooled[1], pooled[2], independent))
        // Decode steps, and the same weights' products alone.
        let decoder = model.decoder
        let context = try model.encode(pixelValues: pixels)
        var caches = [TextCache(layers: decoder.layers.count, width: decoder.hiddenSize, capacity: 130)]
        _ = decoder.logits(tokens: [[101]], images: [context], caches: &caches)
        let steps = time { _ = decoder.logits(tokens: [[2003]], images: [context], caches: &caches) }
        let x = Matrix(rows: 1, columns: decoder.hiddenSize, values: (0..<decoder.hiddenSize).map { Float($0 % 7) / 7 })
        let inner = Matrix(rows: 1, columns: decoder.layers[0].intermediate.outFeatures, values: (0..<decoder.layers[0].intermediate.outFeatures).map { Float($0 % 7) / 7 })
        let products = time {
            for layer in decoder.layers {
                _ = Linear.products([layer.key, layer.value, layer.query], of: x)
                _ = layer.attentionOutput(x)
                _ = layer.intermediate(x)
                _ = layer.output(inner)
            }
        }
        let head = time { _ = decoder.lmHead(x) }
        print(String(format: "LOCALBENCH t\(threads) step min %.2f med %.2f | layer products min %.2f med %.2f | lm head min %.2f med %.2f", steps[0], steps[steps.count / 2], products[0], products[products.count / 2], head[0], head[head.count / 2]))
        print(String(format: "LOCALBENCH bandwidth %.1f %.1f %.1f", MachineLimits.streamingReadGBPS(), MachineLimits.streamingReadGBPS(), MachineLimits.streamingReadGBPS()))
        print("LOCALBENCH t\(threads) P=\(env["I2T_PARTS"] ?? "6") vision \(show(vision)) | prefill \(show(prefill))")
    }
}
