import Foundation
import Testing
@testable import Image2Text

/// Every generation option is held to its range in one place (``GenerationOptions/checkRanges(vocabularySize:)``):
/// values near `Int.max` never reach arithmetic that traps or an allocation sized by them, and floats that would turn
/// scores into zeros, infinities or NaN are refused by name.
@Suite struct GenerationOptionRangeTests {
    static let model = TinyModelGenerationTests.model

    static func context(_ name: String = "0.png") throws -> ImageContext {
        try model.encode(TinyModelGenerationTests.image(name))
    }

    @Test("lengths near Int.max resolve without overflow; the text cache is sized by the position table")
    func lengthsNearIntMax() throws {
        for (options, maxLength, minLength) in [
            (GenerationOptions(maxNewTokens: .max), Int.max, 0), (GenerationOptions(maxNewTokens: .max - 1), Int.max, 0),
            (GenerationOptions(maxNewTokens: 2_000_000_000), 2_000_000_007, 0), (GenerationOptions(maxLength: .max), Int.max, 0),
            (GenerationOptions(maxNewTokens: 5, minNewTokens: .max), 12, Int.max), (GenerationOptions(minLength: .max), 27, Int.max),
        ] {
            let limits = try LengthLimits(options: options, promptLength: 7, maxPositions: 1024)
            #expect(limits.maxLength == maxLength && limits.minLength == minLength, "\(options)")
            #expect(limits.cacheCapacity == min(maxLength - 1, 1024), "\(options)")
        }
    }

    @Test("checkLengthsFitPositionTable: a sequence may grow to one token past the table, counting the prompt")
    func lengthsWithinPositionTable() throws {
        let model = Self.model  // 32 positions
        let question = try model.prompt(question: "what shape is in the image?")
        for (options, promptLength, fits) in [
            (GenerationOptions(maxNewTokens: 32), 1, true), (GenerationOptions(maxNewTokens: 33), 1, false),
            (GenerationOptions(maxLength: 33), 1, true), (GenerationOptions(maxLength: 34), 1, false),
            (GenerationOptions(maxNewTokens: .max), 1, false), (GenerationOptions(minNewTokens: .max), 1, true),
            (GenerationOptions(maxNewTokens: 33 - question.count), question.count, true),
            (GenerationOptions(maxNewTokens: 34 - question.count), question.count, false),
            (GenerationOptions(), 1, true), (GenerationOptions.paper, 1, true),
        ] {
            let accepted = (try? model.checkLengthsFitPositionTable(options, promptLength: promptLength)) != nil
            #expect(accepted == fits, "\(options) after \(promptLength)")
        }
        #expect(throws: GenerationError.invalidOption("max_new_tokens", reason:
            "asks for sequences of 9223372036854775807 tokens, but the model's text position table (max_position_embeddings 32) "
            + "holds at most 32 new tokens after this 1-token prompt")) {
            try model.checkLengthsFitPositionTable(GenerationOptions(maxNewTokens: .max), promptLength: 1)
        }
        #expect(throws: GenerationError.invalidOption("max_new_tokens", reason:
            "asks for 40 new tokens, but the model's text position table (max_position_embeddings 32) "
            + "holds at most 32 new tokens after this 1-token prompt")) {
            try model.checkLengthsFitPositionTable(GenerationOptions(maxNewTokens: 40), promptLength: 1)
        }
    }

    @Test("a huge max_new_tokens gives what a limit at the table gives when [SEP] comes first, for every search")
    func hugeLimitsStopAtSeparator() throws {
        let context = try Self.context()
        let request = GenerationRequest(promptIds: [2], image: context)
        for options in [GenerationOptions(), GenerationOptions(numBeams: 3, numReturnSequences: 2),
                        GenerationOptions(numReturnSequences: 4, doSample: true, seed: 3), GenerationOptions(numBeams: 2, doSample: true, seed: 3)] {
            var huge = options
            huge.maxNewTokens = 2_000_000_000
            var withinTable = options
            withinTable.maxNewTokens = Self.model.configuration.maxPositionEmbeddings
            let expected = try Self.model.generate([request], options: withinTable)[0]
            #expect(expected.allSatisfy { $0.finishReason == .endOfSequence }, "\(options)")
            #expect(try Self.model.generate([request], options: huge)[0] == expected, "\(options)")
        }
        // With [SEP] suppressed, the sequence reaches the end of the 32-position table: transformers' IndexError.
        #expect(throws: GenerationError.exceedsPositionTable(maxLength: .max, promptLength: 1, positionLimit: 32)) {
            try Self.model.generate([request], options: GenerationOptions(maxNewTokens: .max, minNewTokens: .max))
        }
    }

    @Test("top_k past the vocabulary keeps every token; no_repeat_ngram_size past the table forbids nothing")
    func integerOptionsPastTheirEdge() throws {
        let context = try Self.context("5.png")
        let vocabulary = Self.model.configuration.vocabSize
        let sampled = try Self.model.caption(context, options: GenerationOptions(doSample: true, topK: vocabulary, seed: 11))
        #expect(try Self.model.caption(context, options: GenerationOptions(doSample: true, topK: .max, seed: 11)) == sampled)
        let greedy = try Self.model.caption(context)
        #expect(try Self.model.caption(context, options: GenerationOptions(noRepeatNgramSize: .max)) == greedy)
    }

    @Test("options outside their ranges are typed errors naming the option", arguments: [
        ("num_beams", GenerationOptions(numBeams: 1_000_000)), ("num_beams", GenerationOptions(numBeams: .max)),
        ("num_beams", GenerationOptions(numBeams: .min)),
        ("num_return_sequences", GenerationOptions(numReturnSequences: .max, doSample: true)),
        ("num_return_sequences", GenerationOptions(numReturnSequences: GenerationOption.maximumSequences + 1, doSample: true)),
        ("max_new_tokens", GenerationOptions(maxNewTokens: .min)), ("max_length", GenerationOptions(maxLength: 0)),
        ("min_new_tokens", GenerationOptions(minNewTokens: .min)), ("min_length", GenerationOptions(minLength: -1)),
        ("top_k", GenerationOptions(topK: .min)), ("no_repeat_ngram_size", GenerationOptions(noRepeatNgramSize: .min)),
        ("temperature", GenerationOptions(doSample: true, temperature: Double.leastNormalMagnitude / 1e12)),
        ("temperature", GenerationOptions(doSample: true, temperature: 1e-39)),
        ("temperature", GenerationOptions(doSample: true, temperature: 1e39)),
        ("temperature", GenerationOptions(doSample: true, temperature: .infinity)),
        ("temperature", GenerationOptions(doSample: true, temperature: .nan)),
        ("temperature", GenerationOptions(doSample: true, temperature: -0.0)),
        ("top_p", GenerationOptions(doSample: true, topP: .leastNonzeroMagnitude)), ("top_p", GenerationOptions(topP: .nan)),
        ("repetition_penalty", GenerationOptions(repetitionPenalty: .infinity)),
        ("repetition_penalty", GenerationOptions(repetitionPenalty: Double.leastNormalMagnitude / 1e12)),
        ("length_penalty", GenerationOptions(numBeams: 2, lengthPenalty: .nan)),
        ("length_penalty", GenerationOptions(numBeams: 2, lengthPenalty: -.infinity)),
        ("length_penalty", GenerationOptions(numBeams: 2, lengthPenalty: Double.leastNormalMagnitude / 100)),
    ])
    func outOfRange(name: String, options: GenerationOptions) throws {
        let context = try Self.context()
        do {
            _ = try Self.model.caption(context, options: options)
            Issue.record("\(name): no error for \(options)")
        } catch GenerationError.invalidOption(let option, let reason) {
            #expect(option == name, "\(reason)")
        }
    }

    @Test("the edges of the ranges are accepted: zero length penalty, the smallest normal float32 temperature, top_p 1")
    func edgesOfTheRanges() throws {
        let context = try Self.context()
        for options in [GenerationOptions(numBeams: 2, lengthPenalty: 0), GenerationOptions(numBeams: 2, lengthPenalty: -1e300),
                        GenerationOptions(doSample: true, temperature: Double(Float.leastNormalMagnitude), seed: 1),
                        GenerationOptions(doSample: true, temperature: Double(Float.greatestFiniteMagnitude), seed: 1),
                        GenerationOptions(doSample: true, topP: 1, seed: 1),
                        GenerationOptions(maxNewTokens: 2, numBeams: GenerationOption.maximumSequences,
                                          numReturnSequences: GenerationOption.maximumSequences)] {
            #expect(throws: Never.self, "\(options)") { try Self.model.caption(context, options: options) }
        }
        #expect(GenerationOption.named("num_beams")?.integerRange == 1...GenerationOption.maximumSequences)
        #expect(GenerationOption.named("max_new_tokens")?.integerRange == 1...Int.max)
        #expect(GenerationOption.named("temperature")?.integerRange == nil)
    }

    @Test("streaming with a huge max_new_tokens streams the caption")
    func streamingHugeLimit() async throws {
        let request = try Self.model.request(image: Self.context())
        var text = ""
        for try await piece in Self.model.textStream(request, options: GenerationOptions(maxNewTokens: .max)) { text += piece }
        #expect(text == "a red triangle")
    }
}
