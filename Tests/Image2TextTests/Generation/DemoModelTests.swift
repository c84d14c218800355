import Foundation
import Testing
@testable import Image2Text

/// The bundled demo model (Models/git-tiny-easyvqa, hub snapshot layout) loads through every stage that exists.
@Suite struct DemoModelTests {
    @Test("config, generation config, weights, tokenizer and processor all load from the hub layout")
    func loadsEveryFile() throws {
        let folder = try CheckpointFolder(directory: Fixtures.tinyModel)
        #expect(folder.weights.files.count == 1 && folder.weights.ignoredNames.isEmpty)
        let tokenizer = try BertTokenizer(directory: Fixtures.tinyModel)
        #expect(tokenizer.vocabularySize == folder.config.vocabSize)
        #expect(tokenizer.clsTokenId == folder.config.bosTokenId && folder.config.eosTokenIds == [tokenizer.sepTokenId])
        let processor = try ImageProcessorConfiguration.load(directory: Fixtures.tinyModel)
        #expect(processor.cropSize == .init(height: folder.config.visionConfig.imageSize,
                                            width: folder.config.visionConfig.imageSize))
    }

    @Test("the dataset's words tokenize to whole words, never [UNK]")
    func datasetWords() throws {
        let tokenizer = try BertTokenizer(directory: Fixtures.tinyModel)
        let ids = tokenizer.encode("What color is the shape? Does the image contain a teal triangle?")
        #expect(!ids.contains(tokenizer.unkTokenId))
        #expect(try tokenizer.decode(ids, skipSpecialTokens: true) == "what color is the shape? does the image contain a teal triangle?")
    }

    struct Golden: Decodable {
        struct Caption: Decodable { let image: String; let generated_ids: [Int]; let text: String }
        struct Question: Decodable { let image: String; let question: String; let prompt_ids: [Int]; let generated_ids: [Int]; let text: String }
        let captions: [Caption]
        let questions: [Question]
    }

    @Test("transformers' golden prompts are our tokenizer's; its generated ids decode to its texts; every golden image decodes")
    func goldenPromptsAndTexts() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden("tiny_easyvqa.json")))
        #expect(golden.captions.count >= 200 && golden.questions.count >= 200)
        let tokenizer = try BertTokenizer(directory: Fixtures.tinyModel)
        for question in golden.questions {
            #expect([tokenizer.clsTokenId] + tokenizer.encode(question.question, addSpecialTokens: false) == question.prompt_ids)
            #expect(try tokenizer.decode(question.generated_ids, skipSpecialTokens: true) == question.text)
        }
        for caption in golden.captions {
            #expect(try tokenizer.decode(caption.generated_ids, skipSpecialTokens: true) == caption.text)
        }
        let processor = CLIPImageProcessor(configuration: try ImageProcessorConfiguration.load(directory: Fixtures.tinyModel))
        for name in Set(golden.captions.map(\.image) + golden.questions.map(\.image)) {
            let pixels = try processor.preprocess(try ImageDecoder.decode(contentsOf: Fixtures.root.appendingPathComponent("easyvqa/" + name)))
            #expect(pixels.shape == [3, 64, 64])
        }
    }
}
