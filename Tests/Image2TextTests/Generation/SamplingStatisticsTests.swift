import Foundation
import Testing
@testable import Image2Text

/// Sampling is checked statistically, not against torch's random numbers: many seeded draws of the first token must
/// follow transformers' processed distribution (Pearson's χ² test at significance 0.001, categories with an expected
/// count below 5 pooled), and the same draws must fail the test against a different distribution.
@Suite struct SamplingStatisticsTests {
    static let draws = 20_000

    /// The first tokens of `draws` independent samples: calls of ``GenerationOptions/maximumSequences`` return
    /// sequences each (one prompt fed once per call), seeded `seed`, `seed + 1`, ….
    static func firstTokens(_ item: GenerationSuiteGolden.Processed, seed: UInt64) throws -> [Int] {
        let check = TinyGenerationSuiteTests.check
        let request = GenerationRequest(promptIds: item.prefix_ids, image: try check.context(item.image))
        var tokens = [Int]()
        for call in stride(from: 0, to: draws, by: GenerationOption.maximumSequences) {
            var options = item.options.generationOptions
            options.maxNewTokens = 1
            options.numReturnSequences = min(GenerationOption.maximumSequences, draws - call)
            options.seed = seed + UInt64(call / GenerationOption.maximumSequences)
            tokens += try check.model.generate([request], options: options)[0].map { $0.ids.last! }
        }
        return tokens
    }

    /// Pearson's statistic and its critical value at significance 0.001 (Wilson–Hilferty approximation).
    static func chiSquare(counts: [Int], probabilities: [Double]) -> (statistic: Double, critical: Double) {
        let total = Double(counts.reduce(0, +))
        var observed = [Double](), expected = [Double]()
        var pooled = (observed: 0.0, expected: 0.0)
        for (count, probability) in zip(counts, probabilities) {
            if probability * total >= 5 {
                observed.append(Double(count))
                expected.append(probability * total)
            } else {
                pooled.observed += Double(count)
                pooled.expected += probability * total
            }
        }
        if pooled.expected > 0 || pooled.observed > 0 {
            observed.append(pooled.observed)
            expected.append(max(pooled.expected, 1e-12))
        }
        let statistic = zip(observed, expected).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) / $1.1 }
        let df = Double(max(observed.count - 1, 1))
        let z = 3.090232  // standard normal quantile for 0.999
        let critical = df * pow(1 - 2 / (9 * df) + z * (2 / (9 * df)).squareRoot(), 3)
        return (statistic, critical)
    }

    static func counts(_ tokens: [Int], vocabulary: Int) -> [Int] {
        tokens.reduce(into: [Int](repeating: 0, count: vocabulary)) { $0[$1] += 1 }
    }

    /// Golden cases whose distribution is spread enough to test (largest probability below 0.99).
    static var spreadCases: [GenerationSuiteGolden.Processed] {
        TinyGenerationSuiteTests.check.golden.processed.filter { item in item.probabilities.map { $0[1] }.max()! < 0.99 }
    }

    @Test("first-token frequencies over 20,000 seeded draws follow transformers' distribution")
    func frequenciesFollowReference() throws {
        #expect(Self.spreadCases.count >= 8)
        for item in Self.spreadCases {
            let vocabulary = TinyGenerationSuiteTests.check.model.configuration.vocabSize
            var reference = [Double](repeating: 0, count: vocabulary)
            for pair in item.probabilities { reference[Int(pair[0])] = pair[1] }
            let observed = Self.counts(try Self.firstTokens(item, seed: 7), vocabulary: vocabulary)
            // A token of probability zero (removed by top-k / top-p / a processor) is never drawn.
            #expect(observed.indices.allSatisfy { observed[$0] == 0 || reference[$0] > 0 }, "\(item.options)")
            let (statistic, critical) = Self.chiSquare(counts: observed, probabilities: reference)
            #expect(statistic < critical, "\(item.prefix_ids) \(item.options): χ² \(statistic) ≥ \(critical)")
        }
    }

    @Test("the test has power: draws at temperature 1.5 are rejected against the distribution at temperature 1")
    func detectsWrongDistribution() throws {
        let check = TinyGenerationSuiteTests.check
        let hot = try #require(check.golden.processed.first { $0.options.temperature == 1.5 && $0.options.top_k == nil && $0.options.top_p == nil })
        let plain = GenerationSuiteGolden.Processed(image: hot.image, prefix_ids: hot.prefix_ids,
                                                    options: try JSONDecoder().decode(GenerationSuiteGolden.Options.self, from: Data(#"{"do_sample":true}"#.utf8)),
                                                    probabilities: [])
        let reference = try check.processedDistribution(plain).map(Double.init)
        let observed = Self.counts(try Self.firstTokens(hot, seed: 7), vocabulary: reference.count)
        let (statistic, critical) = Self.chiSquare(counts: observed, probabilities: reference)
        #expect(statistic > critical, "χ² \(statistic) should exceed \(critical)")
    }

    @Test("the same seed gives the same samples; another seed other samples")
    func seedsReproduce() throws {
        let model = TinyModelGenerationTests.model
        let image = try model.encode(TinyModelGenerationTests.image("5.png"))
        func sample(_ seed: UInt64) throws -> [[Int]] {
            try model.generate([model.request(image: image)], options: GenerationOptions(
                numReturnSequences: 8, doSample: true, temperature: 2, seed: seed))[0].map(\.ids)
        }
        #expect(try sample(1) == sample(1))
        #expect(try sample(1) != sample(2))
        let beamSampled = GenerationOptions(numBeams: 3, doSample: true, temperature: 2, seed: 4)
        #expect(try model.caption(image, options: beamSampled).ids == model.caption(image, options: beamSampled).ids)
    }
}
