import Foundation
import Testing
@testable import Image2Text

/// Bad input gets a typed error naming what is wrong; nothing crashes.
@Suite struct ModelInputErrorTests {
    static var model: GITModel { TinyModelGenerationTests.model }

    @Test("an empty or blank question", arguments: ["", "   ", "\n\t"])
    func emptyQuestion(question: String) throws {
        let image = try TinyModelGenerationTests.image("0.png")
        #expect(throws: GenerationError.emptyQuestion) { try Self.model.answer(question, about: image) }
    }

    @Test("a question longer than the position table")
    func questionTooLong() throws {
        let question = Array(repeating: "is there a red circle?", count: 10).joined(separator: " ")
        let image = try TinyModelGenerationTests.image("0.png")
        let tokens = try Self.model.questionPrompt(question).count
        #expect(tokens > Self.model.configuration.maxPositionEmbeddings)
        #expect(throws: GenerationError.promptTooLong(tokens: tokens, positionLimit: 32)) { try Self.model.answer(question, about: image) }
        let message = GenerationError.promptTooLong(tokens: tokens, positionLimit: 32).description
        #expect(message.hasPrefix("question: ") && message.contains("\(tokens) tokens") && message.contains("max_position_embeddings"))
    }

    @Test("invalid generation options name the option")
    func invalidOptions() throws {
        let context = try Self.model.encode(TinyModelGenerationTests.image("0.png"))
        #expect(throws: GenerationError.self) { try Self.model.caption(context, options: .init(maxNewTokens: -1)) }
        #expect(throws: GenerationError.invalidOption("min_new_tokens", reason: "must not be negative, got -2")) {
            try Self.model.caption(context, options: .init(minNewTokens: -2))
        }
        #expect(throws: GenerationError.invalidOption("input_ids", reason: "the prompt is empty")) {
            try Self.model.generate(promptIds: [], image: context)
        }
        #expect(throws: GenerationError.tokenOutOfVocabulary(id: 33, vocabularySize: 33)) {
            try Self.model.generate(promptIds: [2, 33], image: context)
        }
    }

    @Test("pixel values of the wrong shape")
    func wrongPixelShape() throws {
        let pixels = PixelValues(shape: [4, 32, 32], values: Array(repeating: 0, count: 4 * 32 * 32))
        #expect(throws: GenerationError.pixelValuesShape(expected: [3, 32, 32], actual: [4, 32, 32])) {
            try Self.model.encode(pixelValues: pixels)
        }
    }

    @Test("an image context from a model of another shape")
    func foreignContext() throws {
        let context = ImageContext(tokenCount: 5, keys: [[0]], values: [[0]])
        #expect(throws: GenerationError.foreignImageContext) { try Self.model.caption(context) }
    }

    @Test("a processor whose crop is smaller than a patch: an error naming pixel_values")
    func processorMismatch() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try copyDemoModel(to: folder)
        let url = folder.appendingPathComponent("preprocessor_config.json")
        var settings = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        settings["crop_size"] = ["height": 6, "width": 48]
        try JSONSerialization.data(withJSONObject: settings).write(to: url)
        let model = try GITModel(directory: folder)
        let error = #expect(throws: GenerationError.self) { try model.caption(TinyModelGenerationTests.image("0.png")) }
        #expect(error?.description == "pixel_values: a 6×48 image is smaller than one 8×8 patch (vision_config.patch_size); "
                + "height and width must be at least 8")
    }

    @Test("a checkpoint folder missing a file names the file",
          arguments: ["config.json", "model.safetensors", "vocab.txt", "preprocessor_config.json"])
    func missingFile(name: String) throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try copyDemoModel(to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        if name == "vocab.txt" {
            // tokenizer.json alone would still describe the vocabulary; remove it too.
            try FileManager.default.removeItem(at: folder.appendingPathComponent("tokenizer.json"))
        }
        do {
            _ = try GITModel(directory: folder)
            Issue.record("loading a folder without \(name) succeeded")
        } catch let error as CustomStringConvertible {
            let message = error.description
            #expect(message.contains(name == "model.safetensors" ? "model.safetensors" : name), "\(message)")
            #expect(!message.contains("\n"))
        }
    }

    @Test("a generation config's decoding settings are the defaults an option overrides",
          arguments: [("num_beams", "3", GenerationOptions(numBeams: 3)),
                      ("repetition_penalty", "1.3", GenerationOptions(repetitionPenalty: 1.3)),
                      ("no_repeat_ngram_size", "1", GenerationOptions(noRepeatNgramSize: 1))])
    func generationConfigDefaults(key: String, value: String, equivalent: GenerationOptions) throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try copyDemoModel(to: folder)
        try #"{"bos_token_id": 2, "eos_token_id": 3, "pad_token_id": 0, "\#(key)": \#(value)}"#
            .write(to: folder.appendingPathComponent("generation_config.json"), atomically: true, encoding: .utf8)
        let configured = try GITModel(directory: folder)
        let image = try configured.encode(TinyModelGenerationTests.image("5.png"))
        let plain = TinyModelGenerationTests.model
        #expect(try configured.caption(image).ids == plain.caption(image, options: equivalent).ids)
        #expect(try configured.caption(image, options: GenerationOptions(numBeams: 1, repetitionPenalty: 1, noRepeatNgramSize: 0)).ids
                    == plain.caption(image).ids)
    }

    private func copyDemoModel(to folder: URL) throws {
        for file in try FileManager.default.contentsOfDirectory(atPath: Fixtures.tinyModel.path) {
            try FileManager.default.copyItem(at: Fixtures.tinyModel.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
    }
}
