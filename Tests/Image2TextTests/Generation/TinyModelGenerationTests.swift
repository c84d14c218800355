import Foundation
import Testing
@testable import Image2Text

/// The bundled demo model against transformers 5.23 (`Fixtures/goldens/tiny_easyvqa.json`, written by
/// `tools/reference/make_tiny_goldens.py`): every golden caption and answer, ids and text, exactly.
@Suite struct TinyModelGenerationTests {
    struct Golden: Decodable {
        struct Case: Decodable {
            let image: String
            let question: String?
            let expected: String
            let prompt_ids: [Int]
            let generated_ids: [Int]
            let text: String
            let answer_text: String
            let correct: Bool
        }
        struct Accuracy: Decodable { let golden: [String: Double] }
        struct Generate: Decodable { let max_new_tokens: Int }
        let captions: [Case]
        let questions: [Case]
        let accuracy: Accuracy
        let generate: Generate
    }

    static let golden: Golden = try! JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("tiny_easyvqa.json")))
    static let model: GITModel = try! GITModel(directory: Fixtures.tinyModel)

    static func image(_ name: String) throws -> RGBImage {
        try ImageDecoder.decode(contentsOf: Fixtures.root.appendingPathComponent("easyvqa/" + name))
    }

    @Test("all golden captions: same ids, same text, same accuracy")
    func captions() throws {
        #expect(Self.golden.captions.count >= 200)
        try Self.expectGoldens(Self.golden.captions, accuracy: "caption_exact")
    }

    @Test("all golden questions: same ids, same answer, same accuracy")
    func questions() throws {
        #expect(Self.golden.questions.count >= 200)
        try Self.expectGoldens(Self.golden.questions, accuracy: "vqa")
    }

    /// Generates every case (a caption, or an answer when it has a question; each image encoded once) and records
    /// an issue for any id or text that differs from transformers', or an accuracy that does.
    static func expectGoldens(_ cases: [Golden.Case], accuracy key: String) throws {
        let options = GenerationOptions(maxNewTokens: golden.generate.max_new_tokens)
        var mismatches: [String] = []
        var correct = 0
        var contexts: [String: ImageContext] = [:]
        for item in cases {
            let context = try contexts[item.image] ?? model.encode(image(item.image))
            contexts[item.image] = context
            let result = try item.question.map { try model.answer($0, about: context, options: options) }
                ?? model.caption(context, options: options)
            #expect(result.promptIds == item.prompt_ids)
            if result.ids != item.generated_ids || result.text != item.text || result.generatedText != item.answer_text {
                mismatches.append("\(item.image) \(item.question ?? "caption"): \(result.ids) \"\(result.text)\" ≠ \(item.generated_ids) \"\(item.text)\"")
            }
            if result.generatedText == item.expected { correct += 1 }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) cases differ: \(mismatches.prefix(5))")
        #expect(Double(correct) / Double(cases.count) == golden.accuracy.golden[key])
    }
}
