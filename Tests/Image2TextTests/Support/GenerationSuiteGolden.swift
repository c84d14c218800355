import Foundation
import Testing
@testable import Image2Text

/// `Fixtures/goldens/{tiny,prng}_generation_suite.json`, written by `tools/reference/make_generation_suite_goldens.py`
/// from transformers 5.23: beam search, greedy scores, batches, processed sampling distributions, invalid options and
/// label scores. Tolerances (the file's `tolerance`): ids exact; scores and log-probabilities within
/// 1e-4 · max(1, |ref|); probabilities within 1e-5 absolute with the same set of tokens above zero.
struct GenerationSuiteGolden: Decodable, Sendable {
    struct Options: Decodable, Sendable {
        let max_new_tokens: Int?
        let num_beams: Int?
        let num_return_sequences: Int?
        let length_penalty: Double?
        let early_stopping: GenerationOptions.EarlyStopping?
        let do_sample: Bool?
        let temperature: Double?
        let top_k: Int?
        let top_p: Double?
        let repetition_penalty: Double?
        let no_repeat_ngram_size: Int?
        let bad_words_ids: [[Int]]?
        let min_new_tokens: Int?

        var generationOptions: GenerationOptions {
            GenerationOptions(maxNewTokens: max_new_tokens, minNewTokens: min_new_tokens, numBeams: num_beams,
                              numReturnSequences: num_return_sequences, lengthPenalty: length_penalty,
                              earlyStopping: early_stopping, doSample: do_sample, temperature: temperature, topK: top_k,
                              topP: top_p, repetitionPenalty: repetition_penalty, noRepeatNgramSize: no_repeat_ngram_size,
                              badWordsIds: bad_words_ids)
        }
    }
    struct Beam: Decodable, Sendable {
        let image: String
        let prompt_ids: [Int]
        let options: Options
        let sequences: [[Int]]?
        let sequences_scores: [Float]?
        let error: String?
    }
    struct GreedyScore: Decodable, Sendable {
        let image: String
        let prompt_ids: [Int]
        let options: Options
        let sequence: [Int]
        let token_log_probs: [Double]
    }
    struct Item: Decodable, Sendable {
        let image: String
        let prompt_ids: [Int]
    }
    struct Batch: Decodable, Sendable {
        let options: Options
        let items: [Item]
        let batched_trimmed: [[[Int]]]
        let single_trimmed: [[[Int]]]
        let single_scores: [[Float]]?
    }
    struct Processed: Decodable, Sendable {
        let image: String
        let prefix_ids: [Int]
        let options: Options
        /// [token, probability] pairs.
        let probabilities: [[Double]]
    }
    struct Invalid: Decodable, Sendable {
        let image: String
        let prompt_ids: [Int]
        let options: Options
        let error: String?
    }
    struct Classification: Decodable, Sendable {
        let image: String
        let question: String?
        let labels: [String]
        let label_ids: [[Int]]
        let log_probs: [Double]
    }

    let beam: [Beam]
    let greedy_scores: [GreedyScore]
    let batch: [Batch]
    let processed: [Processed]
    let invalid: [Invalid]
    let classification: [Classification]

    static func load(_ name: String) throws -> GenerationSuiteGolden {
        try JSONDecoder().decode(GenerationSuiteGolden.self, from: Data(contentsOf: Fixtures.golden(name)))
    }

    static func close(_ ours: Double, _ reference: Double) -> Bool {
        abs(ours - reference) <= 1e-4 * max(1, abs(reference))
    }
}

/// Runs one generation suite golden against a model; `image` loads and encodes a golden's image (cached).
struct GenerationSuiteCheck: Sendable {
    let model: GITModel
    let golden: GenerationSuiteGolden
    let loadImage: @Sendable (String) throws -> RGBImage
    private let contexts = ImageContextCache()

    init(model: GITModel, golden: GenerationSuiteGolden, loadImage: @escaping @Sendable (String) throws -> RGBImage) {
        self.model = model
        self.golden = golden
        self.loadImage = loadImage
    }

    func context(_ name: String) throws -> ImageContext {
        if let cached = contexts[name] { return cached }
        let encoded = try model.encode(loadImage(name))
        contexts[name] = encoded
        return encoded
    }

    /// Beam search: ids (padding included) identical and `sequences_scores` close; errors where transformers fails.
    func beams() throws {
        for item in golden.beam {
            let label = "\(item.image) \(item.prompt_ids) \(item.options)"
            let request = GenerationRequest(promptIds: item.prompt_ids, image: try context(item.image))
            guard let sequences = item.sequences, let scores = item.sequences_scores else {
                do {
                    _ = try model.generate([request], options: item.options.generationOptions)
                    Issue.record("\(label): transformers fails (\(item.error ?? "")) but this generated")
                } catch is GenerationError {}
                continue
            }
            let results = try model.generate([request], options: item.options.generationOptions)[0]
            #expect(results.map(\.ids) == sequences, "\(label)")
            // generatedIds stop at the first [SEP]: beam search's [SEP] padding is not part of them.
            #expect(results.allSatisfy { $0.generatedIds.dropLast().allSatisfy { !model.endOfSequence.contains($0) } }, "\(label)")
            for (ours, reference) in zip(results.map(\.score), scores) {
                #expect(GenerationSuiteGolden.close(Double(ours), Double(reference)), "\(label): score \(ours) vs \(reference)")
            }
        }
    }

    /// Greedy results: ids identical, score × generated length = the sum of transformers' transition log-probabilities.
    func greedyScores() throws {
        for item in golden.greedy_scores {
            let result = try model.generate(promptIds: item.prompt_ids, image: context(item.image), options: item.options.generationOptions)
            #expect(result.ids == item.sequence)
            let sum = Double(result.score) * Double(result.ids.count - item.prompt_ids.count)
            #expect(GenerationSuiteGolden.close(sum, item.token_log_probs.reduce(0, +)), "\(sum) vs \(item.token_log_probs)")
        }
    }

    /// Batches of mixed prompts: each item's sequences equal transformers' batched and single rows (cut after [SEP]),
    /// and our own one-by-one results exactly.
    func batches() throws {
        for batch in golden.batch {
            let options = batch.options.generationOptions
            let requests = try batch.items.map { GenerationRequest(promptIds: $0.prompt_ids, image: try context($0.image)) }
            let batched = try model.generate(requests, options: options)
            let single = try requests.map { try model.generate([$0], options: options)[0] }
            #expect(batched.map { $0.map(\.ids) } == single.map { $0.map(\.ids) }, "\(batch.options)")
            for (index, sequences) in batched.enumerated() {
                let trimmed = sequences.map { result in Self.cutAfterEndOfSequence(result.ids, promptLength: result.promptIds.count) }
                #expect(trimmed == batch.batched_trimmed[index], "item \(index) of \(batch.options)")
                #expect(trimmed == batch.single_trimmed[index], "item \(index) of \(batch.options)")
                for (ours, reference) in zip(sequences.map(\.score), batch.single_scores?[index] ?? []) {
                    #expect(GenerationSuiteGolden.close(Double(ours), Double(reference)))
                }
            }
        }
    }

    static func cutAfterEndOfSequence(_ ids: [Int], promptLength: Int, endOfSequence: Int = 3) -> [Int] {
        guard let end = ids[promptLength...].firstIndex(of: endOfSequence) else { return ids }
        return Array(ids[...end])
    }

    /// The distribution sampling draws from after every processor and warper, for each golden prefix.
    func processedDistribution(_ item: GenerationSuiteGolden.Processed) throws -> [Float] {
        let settings = try DecodingSettings(options: item.options.generationOptions, config: model.generationConfig,
                                            endOfSequence: model.endOfSequence, vocabularySize: model.configuration.vocabSize)
        let limits = try settings.limits(promptLength: item.prefix_ids.count, maxPositions: model.configuration.maxPositionEmbeddings)
        let steps = TeacherForcing.steps(model: model, image: try context(item.image), sequence: item.prefix_ids + [0],
                                         promptLength: item.prefix_ids.count)
        var scores = steps[0].logits
        settings.processors.apply(&scores, ids: item.prefix_ids, limits: limits)
        settings.warpers.apply(&scores)
        softmax(&scores)
        return scores
    }

    func processed() throws {
        for item in golden.processed {
            let ours = try processedDistribution(item)
            var reference = [Float](repeating: 0, count: ours.count)
            for pair in item.probabilities { reference[Int(pair[0])] = Float(pair[1]) }
            let label = "\(item.image) \(item.prefix_ids) \(item.options)"
            #expect(ours.indices.filter { ours[$0] > 0 } == reference.indices.filter { reference[$0] > 0 }, "\(label)")
            let worst = zip(ours, reference).map { abs($0 - $1) }.max()!
            #expect(worst <= 1e-5, "\(label): max |Δp| \(worst)")
        }
    }

    /// Options transformers rejects are typed errors here (and some it accepts, stated in docs/verification.md).
    func invalidOptions() throws {
        for item in golden.invalid where item.error != nil {
            let request = GenerationRequest(promptIds: item.prompt_ids, image: try context(item.image))
            do {
                _ = try model.generate([request], options: item.options.generationOptions)
                Issue.record("\(item.options): transformers fails (\(item.error!)) but this generated")
            } catch is GenerationError {}
        }
    }

    /// Label log-probabilities from the trie walk equal transformers' teacher-forced sums.
    func classification() throws {
        for item in golden.classification {
            let result = try model.classify(context(item.image), labels: item.labels, question: item.question)
            for (label, reference, ids) in zip3(item.labels, item.log_probs, item.label_ids) {
                let score = try #require(result.ranking.first { $0.label == label })
                #expect(score.ids == ids)
                #expect(GenerationSuiteGolden.close(score.logProbability, reference), "\(item.image) \(label): \(score.logProbability) vs \(reference)")
            }
        }
    }
}

/// Encoded images by name, shared by the checks of one suite.
private final class ImageContextCache: @unchecked Sendable {
    private var values: [String: ImageContext] = [:]
    private let lock = NSLock()

    subscript(name: String) -> ImageContext? {
        get { lock.withLock { values[name] } }
        set { lock.withLock { values[name] = newValue } }
    }
}

func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    zip(a, zip(b, c)).map { ($0, $1.0, $1.1) }
}

/// `Fixtures/goldens/paper_beam.json`, written by `tools/reference/make_paper_beam_goldens.py`: the original GIT
/// repository's beam search (re-implemented in Python and checked against the original code) on transformers'
/// logits. Tolerance: ids exact, scores within 1e-4.
struct PaperBeamGolden: Decodable, Sendable {
    struct Options: Decodable, Sendable {
        let num_beams: Int
        let length_penalty: Double
        let num_keep_best: Int
        let max_steps: Int
    }
    struct Hypothesis: Decodable, Sendable {
        let ids: [Int]
        let score: Double
        let eos_generated: Bool
    }
    struct Case: Decodable, Sendable {
        let model: String
        let image: String
        let prompt_ids: [Int]
        let options: Options
        let hypotheses: [Hypothesis]
    }
    let cases: [Case]

    static let golden: PaperBeamGolden = try! JSONDecoder().decode(PaperBeamGolden.self, from: Data(contentsOf: Fixtures.golden("paper_beam.json")))

    /// Runs the cases of `model` (`"tiny"` or `"prng"`); a `max_steps` equal to the position table is left to the
    /// default.
    static func check(_ modelName: String, model: GITModel, context: (String) throws -> ImageContext) throws {
        let cases = golden.cases.filter { $0.model == modelName }
        #expect(!cases.isEmpty)
        for item in cases {
            let options = GenerationOptions(
                maxLength: item.options.max_steps == model.configuration.maxPositionEmbeddings ? nil : item.options.max_steps,
                numBeams: item.options.num_beams, numReturnSequences: item.options.num_keep_best,
                lengthPenalty: item.options.length_penalty, beamScoring: .paper)
            let results = try model.generate([GenerationRequest(promptIds: item.prompt_ids, image: context(item.image))], options: options)[0]
            let label = "\(item.image) \(item.prompt_ids) \(item.options)"
            #expect(results.map(\.ids) == item.hypotheses.map(\.ids), "\(label)")
            #expect(results.map { $0.finishReason == .endOfSequence } == item.hypotheses.map(\.eos_generated), "\(label)")
            for (ours, reference) in zip(results, item.hypotheses) {
                #expect(abs(Double(ours.score) - reference.score) <= 1e-4, "\(label): \(ours.score) vs \(reference.score)")
            }
        }
    }
}
