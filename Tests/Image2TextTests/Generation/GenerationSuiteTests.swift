import Foundation
import Testing
@testable import Image2Text

/// Beam search, scores, batches, sampling distributions, invalid options and label scores of the demo model against
/// transformers 5.23 (`Fixtures/goldens/tiny_generation_suite.json`; see ``GenerationSuiteGolden``).
@Suite struct TinyGenerationSuiteTests {
    static let check = GenerationSuiteCheck(
        model: TinyModelGenerationTests.model, golden: try! .load("tiny_generation_suite.json"),
        loadImage: TinyModelGenerationTests.image)

    @Test("beam search: beams 2–5 × length penalties × early stopping: ids identical, scores within 1e-4")
    func beams() throws {
        #expect(Self.check.golden.beam.count >= 50)
        try Self.check.beams()
    }

    @Test("greedy scores are transformers' transition log-probabilities") func greedyScores() throws { try Self.check.greedyScores() }

    @Test("a batch of mixed captions and questions equals one-by-one and transformers' left-padded batch")
    func batches() throws { try Self.check.batches() }

    @Test("the sampling distribution after processors and warpers equals transformers'")
    func processed() throws { try Self.check.processed() }

    @Test("options transformers rejects are typed errors") func invalidOptions() throws { try Self.check.invalidOptions() }

    @Test("label log-probabilities equal transformers' teacher-forced sums") func classification() throws { try Self.check.classification() }
}

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

/// Classification by generation, streaming, and the options' typed errors on the demo model.
@Suite struct GenerationFeatureTests {
    static let model = TinyModelGenerationTests.model

    @Test("classifying shape and colour is at least as accurate as free generation on the golden images")
    func classificationAccuracy() throws {
        let shapes = ["circle", "rectangle", "triangle"]
        let colours = ["black", "blue", "brown", "gray", "green", "red", "teal", "yellow"]
        var correct = (shapeClass: 0, shapeFree: 0, colourClass: 0, colourFree: 0)
        let captions = TinyModelGenerationTests.golden.captions
        for item in captions {
            let words = item.expected.split(separator: " ").map(String.init)  // "a red triangle"
            let image = try Self.model.encode(TinyModelGenerationTests.image(item.image))
            let shapeQuestion = "what shape is in the image?", colourQuestion = "what color is the shape?"
            correct.shapeClass += try Self.model.classify(image, labels: shapes, question: shapeQuestion).best.label == words[2] ? 1 : 0
            correct.shapeFree += try Self.model.answer(shapeQuestion, about: image).generatedText == words[2] ? 1 : 0
            correct.colourClass += try Self.model.classify(image, labels: colours, question: colourQuestion).best.label == words[1] ? 1 : 0
            correct.colourFree += try Self.model.answer(colourQuestion, about: image).generatedText == words[1] ? 1 : 0
        }
        #expect(correct.shapeClass >= correct.shapeFree, "\(correct)")
        #expect(correct.colourClass >= correct.colourFree, "\(correct)")
        #expect(correct.colourClass > captions.count * 9 / 10, "\(correct)")
    }

    @Test("a classification's probabilities sum to one and rank the labels by log-probability")
    func classificationRanking() throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("0.png"))
        let result = try Self.model.classify(image, labels: ["a red triangle", "a red circle", "a blue triangle", "a red"])
        #expect(result.best.label == "a red triangle")
        #expect(abs(result.ranking.map(\.probability).reduce(0, +) - 1) < 1e-9)
        #expect(result.ranking.map(\.logProbability) == result.ranking.map(\.logProbability).sorted(by: >))
    }

    @Test("classification errors: no labels, a label without tokens")
    func classificationErrors() throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("0.png"))
        #expect(throws: GenerationError.emptyLabelList) { try Self.model.classify(image, labels: []) }
        #expect(throws: GenerationError.labelWithoutTokens("  ")) { try Self.model.classify(image, labels: ["circle", "  "]) }
    }

    @Test("invalid options are typed errors naming the option",
          arguments: [("num_beams", GenerationOptions(numBeams: 0)), ("top_p", GenerationOptions(doSample: true, topP: 0)),
                      ("top_p", GenerationOptions(topP: 1.5)), ("top_k", GenerationOptions(topK: -1)),
                      ("temperature", GenerationOptions(doSample: true, temperature: 0)),
                      ("num_return_sequences", GenerationOptions(numBeams: 2, numReturnSequences: 3)),
                      ("num_return_sequences", GenerationOptions(numReturnSequences: 2)),
                      ("repetition_penalty", GenerationOptions(repetitionPenalty: 0)),
                      ("no_repeat_ngram_size", GenerationOptions(noRepeatNgramSize: -1)),
                      ("bad_words_ids", GenerationOptions(badWordsIds: [])), ("bad_words_ids", GenerationOptions(badWordsIds: [[40]])),
                      ("beam_scoring", GenerationOptions(beamScoring: .paper))])
    func invalidOption(name: String, options: GenerationOptions) throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("0.png"))
        do {
            _ = try Self.model.caption(image, options: options)
            Issue.record("\(name): no error")
        } catch GenerationError.invalidOption(let option, _) {
            #expect(option == name)
        }
    }

    @Test("the README's library example gives the values its comments show")
    func readmeLibraryExample() async throws {
        let model = try GITModel(directory: Fixtures.tinyModel)
        let image = try ImageDecoder.decode(contentsOf: Fixtures.root.appendingPathComponent("easyvqa/0.png"))
        let context = try model.encode(image)
        #expect(try model.caption(image).generatedText == "a red triangle")
        let beams = try model.generate([model.request(image: context)], options: GenerationOptions(numBeams: 3, numReturnSequences: 2))[0]
        #expect(beams.map(\.generatedText) == ["a red triangle", "a red circle"])
        #expect(abs(beams[0].score + 0.0085) < 1e-4 && abs(beams[1].score + 0.878) < 1e-3)
        #expect(try model.caption(context, options: .paper).generatedText == "a red triangle")
        _ = try model.caption(context, options: GenerationOptions(doSample: true, temperature: 0.7, topP: 0.9, seed: 42))
        let other = try model.encode(ImageDecoder.decode(contentsOf: Fixtures.root.appendingPathComponent("easyvqa/5.png")))
        let batch = try model.generate([model.request(image: context), model.request(question: "what shape is in the image?", image: other)])
        #expect(batch.map { $0[0].generatedText } == ["a red triangle", "rectangle"])
        let request = try model.request(question: "what color is the shape?", image: context)
        var streamed = ""
        for try await piece in model.textStream(request) { streamed += piece }
        #expect(streamed == "red")
        let shape = try model.classify(context, labels: ["circle", "rectangle", "triangle"], question: "what shape is in the image?")
        #expect(shape.best.label == "triangle")
        #expect(zip(shape.ranking.map(\.probability), [0.958, 0.040, 0.001]).allSatisfy { abs($0 - $1) < 5e-4 })
        let int8 = try GITModel(directory: Fixtures.tinyModel, weightType: .int8)
        #expect(try int8.caption(image).generatedText == "a red triangle" && int8.weightTypes == [.int8])
    }

    @Test("streamed pieces join to the generated text, for greedy and sampled answers")
    func streaming() async throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("5.png"))
        for options in [GenerationOptions(), GenerationOptions(doSample: true, temperature: 3, seed: 5)] {
            for question in [nil, "what shape is in the image?"] {
                let request = try Self.model.request(question: question, image: image)
                var pieces = [String]()
                for try await piece in Self.model.textStream(request, options: options) { pieces.append(piece) }
                let expected = try Self.model.generate([request], options: options)[0][0].generatedText
                #expect(pieces.joined() == expected)
                #expect(pieces.count >= expected.split(separator: " ").count)
            }
        }
    }

    @Test("streaming refuses beam search with a typed error")
    func streamingBeams() async throws {
        let request = try Self.model.request(image: Self.model.encode(TinyModelGenerationTests.image("5.png")))
        await #expect(throws: GenerationError.self) {
            for try await _ in Self.model.textStream(request, options: GenerationOptions(numBeams: 2)) {}
        }
    }

    @Test("text deltas join WordPiece pieces and clean-up exactly, on random token sequences")
    func textDeltas() throws {
        let tokenizer = try BertTokenizer(vocabularyFile: Fixtures.vocabulary)
        let vocabulary = try String(contentsOf: Fixtures.vocabulary, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var random = SeededGenerator(seed: 11)
        // Words, ##-pieces, punctuation and apostrophes, where decoding joins or removes spaces.
        let pool = ["a", "cat", "##s", "##ing", "'", "s", "t", "n", "##'", ".", ",", "?", "!", "don", "re", "ve", "m", "-", "the", "do", "not"]
            .map { token in vocabulary.firstIndex(of: token)! }
        for _ in 0..<500 {
            let ids = (0..<Int.random(in: 1...12, using: &random)).map { _ in pool.randomElement(using: &random)! }
            var decoder = TextDeltaDecoder(tokenizer: tokenizer)
            var pieces = try ids.compactMap { try decoder.append($0) }
            if let rest = try decoder.finish() { pieces.append(rest) }
            #expect(pieces.joined() == (try tokenizer.decode(ids, skipSpecialTokens: true)), "\(ids)")
        }
    }
}

@Suite struct PaperBeamTests {
    @Test("the paper's decoding (beam 4, GNMT length penalty 0.6) equals the original repository's on the demo model")
    func demoModel() throws {
        try PaperBeamGolden.check("tiny", model: TinyModelGenerationTests.model, context: TinyGenerationSuiteTests.check.context)
    }
}

/// The same checks on the full-size PRNG checkpoint (`Fixtures/goldens/prng_generation_suite.json`; its vocabulary of
/// 30522 and 197 image tokens are git-base's; it never produces [SEP], so beams run to the length limit).
@Suite(.serialized) struct PRNGGenerationSuiteTests {
    static let check = Result {
        GenerationSuiteCheck(model: try PRNGModelParityTests.model.get(), golden: try .load("prng_generation_suite.json"),
                             loadImage: { try ImageDecoder.decode(contentsOf: Fixtures.image($0)) })
    }

    @Test("beam search, greedy scores, batches, processed distributions, invalid options and label scores")
    func suite() throws {
        let check = try Self.check.get()
        #expect(check.golden.beam.count >= 8)
        try check.beams()
        try check.greedyScores()
        try check.batches()
        try check.processed()
        try check.invalidOptions()
        try check.classification()
    }

    @Test("the paper's decoding equals the original repository's")
    func paperBeam() throws {
        let check = try Self.check.get()
        try PaperBeamGolden.check("prng", model: check.model, context: check.context)
    }
}
