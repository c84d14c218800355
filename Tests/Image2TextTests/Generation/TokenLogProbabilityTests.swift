import Foundation
import Testing
@testable import Image2Text

/// Each generated token's log-probability, by feeding the sequence back (``GITModel/tokenLogProbabilities(_:image:alternatives:)``),
/// and the image token count a prompt starts with.
@Suite struct TokenLogProbabilityTests {
    static let model = TinyModelGenerationTests.model

    @Test("greedy tokens are the most likely, and their log-probabilities sum to the sequence's score")
    func greedy() throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("0.png"))
        for question in [nil, "what shape is in the image?"] {
            let result = try Self.model.generate([Self.model.request(question: question, image: image)])[0][0]
            let tokens = try Self.model.tokenLogProbabilities([result], image: image, alternatives: 3)[0]
            #expect(tokens.map(\.token.id) == Array(result.generatedIds))
            for token in tokens {
                #expect(token.alternatives.count == 3)
                #expect(token.alternatives[0] == token.token)
                #expect(token.alternatives.map(\.logProbability) == token.alternatives.map(\.logProbability).sorted(by: >))
            }
            // Without logits processors, the score is the mean log-probability of the generated tokens.
            let sum = tokens.map(\.token.logProbability).reduce(0, +)
            #expect(abs(sum / Float(tokens.count) - result.score) < 1e-4)
        }
    }

    @Test("beam sequences are scored without their padding, together in one pass")
    func beams() throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("5.png"))
        let results = try Self.model.generate([Self.model.request(image: image)], options: GenerationOptions(numBeams: 3, numReturnSequences: 3))[0]
        let together = try Self.model.tokenLogProbabilities(results, image: image)
        for (result, tokens) in zip(results, together) {
            #expect(tokens.map(\.token.id) == Array(result.generatedIds))
            #expect(tokens.allSatisfy { $0.alternatives.isEmpty })
            #expect(try Self.model.tokenLogProbabilities([result], image: image) == [tokens])
        }
    }

    @Test("the image token count is what encoding gives, for images of any size and for frames")
    func imageTokenCount() throws {
        let image = try TinyModelGenerationTests.image("0.png")
        #expect(Self.model.imageTokenCount(.image(image)) == (try Self.model.encode(image)).tokenCount)
        let wide = try #require(RGBImage(width: 300, height: 90, pixels: [UInt8](repeating: 128, count: 300 * 90 * 3)))
        #expect(Self.model.imageTokenCount(.image(wide)) == (try Self.model.encode(wide)).tokenCount)
        #expect(Self.model.imageTokenCount(.frames([image, wide])) == 2 * Self.model.imageTokenCount(.image(image)))
    }

    @Test("a request's text callback receives the pieces of its generated text, in a batch with others")
    func textCallbackInBatch() throws {
        let image = try Self.model.encode(TinyModelGenerationTests.image("5.png"))
        let pieces = Pieces()
        var streamed = try Self.model.request(question: "what shape is in the image?", image: image)
        streamed.onText = { pieces.append($0) }
        let results = try Self.model.generate([Self.model.request(image: image), streamed])
        #expect(pieces.joined == results[1][0].generatedText)
        #expect(throws: GenerationError.self) { try Self.model.generate([streamed], options: GenerationOptions(numBeams: 2)) }
        #expect(throws: GenerationError.self) {
            try Self.model.generate([streamed], options: GenerationOptions(numReturnSequences: 2, doSample: true))
        }
    }
}

/// Text pieces collected from the decoding thread.
final class Pieces: @unchecked Sendable {
    private let lock = NSLock()
    private var pieces: [String] = []

    func append(_ piece: String) { lock.withLock { pieces.append(piece) } }
    var joined: String { lock.withLock { pieces.joined() } }
}
