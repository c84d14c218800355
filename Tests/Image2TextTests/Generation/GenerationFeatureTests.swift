import Foundation
import Testing
@testable import Image2Text

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

    @Test("the library example (README, docs/library.md) gives the values its comments show")
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
