import Foundation
import Testing
@testable import Image2Text

/// `max_new_tokens`, `max_length`, `min_new_tokens`, `min_length` and their defaults resolve as in transformers 5.23:
/// `Fixtures/goldens/tiny_generation_lengths.json` (`tools/reference/make_generation_length_goldens.py`) holds the
/// demo model's ids for each option set, or the error transformers raised.
@Suite struct GenerationLengthTests {
    struct Golden: Decodable {
        struct Options: Decodable {
            let max_new_tokens: Int?
            let max_length: Int?
            let min_new_tokens: Int?
            let min_length: Int?
        }
        struct Case: Decodable {
            let image: String
            let question: String?
            let prompt_ids: [Int]
            let options: Options
            let generated_ids: [Int]?
            let error: String?
        }
        let cases: [Case]
    }

    @Test("ids equal transformers' for every option set; its errors are typed errors here")
    func lengthSemantics() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("tiny_generation_lengths.json")))
        let model = TinyModelGenerationTests.model
        #expect(golden.cases.count >= 40)
        var contexts: [String: ImageContext] = [:]
        for item in golden.cases {
            let context = try contexts[item.image] ?? model.encode(TinyModelGenerationTests.image(item.image))
            contexts[item.image] = context
            let options = GenerationOptions(maxNewTokens: item.options.max_new_tokens, maxLength: item.options.max_length,
                                            minNewTokens: item.options.min_new_tokens, minLength: item.options.min_length)
            let label = "\(item.image) \(item.prompt_ids.count)-token prompt \(options)"
            if let question = item.question { #expect(try model.questionPrompt(question) == item.prompt_ids) }
            if let expected = item.generated_ids {
                let result = try model.generate(promptIds: item.prompt_ids, image: context, options: options)
                #expect(result.ids == expected, "\(label)")
                #expect(result.finishReason == (expected.last == 3 ? .endOfSequence : .maxLength), "\(label)")
                continue
            }
            let error = item.error!
            do {
                let result = try model.generate(promptIds: item.prompt_ids, image: context, options: options)
                Issue.record("\(label): transformers raised \(error), we generated \(result.ids)")
            } catch let thrown as GenerationError {
                switch thrown {
                case .invalidOption("max_new_tokens", _): #expect(error.contains("`max_new_tokens` must be greater than 0"), "\(label)")
                case .invalidOption("max_length", _): #expect(error.hasPrefix("ValueError: Input length"), "\(label)")
                case .exceedsPositionTable: #expect(error.hasPrefix("IndexError"), "\(label)")
                default: Issue.record("\(label): \(thrown) for transformers' \(error)")
                }
            }
        }
    }

    @Test("a prompt that fills the position table is rejected before any work")
    func promptFillingThePositionTable() throws {
        let model = TinyModelGenerationTests.model
        let limit = model.configuration.maxPositionEmbeddings
        let context = try model.encode(TinyModelGenerationTests.image("0.png"))
        for length in [limit, limit + 1, limit + 20] {
            let prompt = [2] + Array(repeating: 25, count: length - 1)
            #expect(throws: GenerationError.promptTooLong(tokens: length, positionLimit: limit)) {
                try model.generate(promptIds: prompt, image: context, options: length == limit ? .init() : .init(maxNewTokens: 1))
            }
        }
        // A prompt that fills the table exactly still gives one token when asked for explicitly (as in transformers).
        let result = try model.generate(promptIds: [2] + Array(repeating: 25, count: limit - 1), image: context, options: .init(maxNewTokens: 1))
        #expect(result.ids.count == limit + 1)
    }
}
