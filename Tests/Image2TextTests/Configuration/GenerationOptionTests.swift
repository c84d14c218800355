import Foundation
import Testing
@testable import Image2Text

/// ``GenerationOption/all`` is the one list of generation options: every field of ``GenerationOptions`` is in it, and
/// `generation_config.json`, the merge with the checkpoint's options and the range checks all go through it.
@Suite struct GenerationOptionTests {
    /// A value of the option's kind, within its range.
    static func sample(_ option: GenerationOption) -> GenerationOption.Value {
        switch option.kind {
        case .integer(let range): .integer(range.lowerBound + 1)
        case .seed: .unsigned(7)
        case .number: .number(0.5)
        case .flag: .flag(true)
        case .choice(let words): .word(words.last!)
        case .tokenLists: .tokenLists([[5, 6]])
        }
    }

    @Test("every field of GenerationOptions is one option of the table, set by it alone")
    func tableCoversEveryField() throws {
        let fields = Mirror(reflecting: GenerationOptions()).children.compactMap(\.label)
        #expect(GenerationOption.all.count == fields.count)
        #expect(Set(GenerationOption.all.map(\.name)).count == fields.count)
        for option in GenerationOption.all {
            var options = GenerationOptions()
            try option.set(Self.sample(option), in: &options)
            let set = Mirror(reflecting: options).children.filter { "\($0.value)" != "nil" }.compactMap(\.label)
            #expect(set.count == 1, "\(option.name) sets \(set)")
            #expect(option.isSet(in: options) && !option.isSet(in: GenerationOptions()), "\(option.name)")
        }
    }

    @Test("the checkpoint's options fill exactly the options a call leaves unset")
    func overridingTakesUnsetOptions() throws {
        var file = GenerationOptions()
        for option in GenerationOption.all { try option.set(Self.sample(option), in: &file) }
        #expect(GenerationOptions().overriding(file) == file)
        let call = GenerationOptions(maxNewTokens: 3, earlyStopping: .never, seed: 1)
        let merged = call.overriding(file)
        #expect(merged.maxNewTokens == 3 && merged.earlyStopping == .never && merged.seed == 1)
        #expect(merged.numBeams == file.numBeams && merged.badWordsIds == file.badWordsIds && merged.topP == file.topP)
    }

    @Test("generation_config.json sets every option that is a transformers key, by its name, and no other")
    func configFileReadsEveryKey() throws {
        var json: [String: Any] = [:]
        var expected = GenerationOptions()
        for option in GenerationOption.all {
            let value = Self.sample(option)
            switch value {
            case .integer(let number): json[option.name] = number
            case .unsigned(let number): json[option.name] = number
            case .number(let number): json[option.name] = number
            case .flag(let flag): json[option.name] = flag
            case .word(let word): json[option.name] = word
            case .tokenLists(let lists): json[option.name] = lists
            case .texts: Issue.record("no sample is text")
            }
            if option.isConfigKey { try option.set(value, in: &expected) }
        }
        let config = try JSONDecoder().decode(GenerationConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(config.options == expected)
        #expect(GenerationOption.all.filter { !$0.isConfigKey }.map(\.name) == ["beam_scoring", "seed"])
    }

    @Test("a value of the wrong kind is refused naming the option; words are tokenized for bad_words")
    func setChecksKinds() throws {
        var options = GenerationOptions()
        #expect(throws: GenerationOption.InvalidValue(name: "early_stopping", reason: #"must be "false", "true", "never""#)) {
            try GenerationOption.named("early_stopping")!.set(.word("sometimes"), in: &options)
        }
        #expect(throws: GenerationOption.InvalidValue.self) { try GenerationOption.named("num_beams")!.set(.flag(true), in: &options) }
        try GenerationOption.named("bad_words")!.set(.texts(["ab", "c"]), in: &options) { Array($0.utf8).map(Int.init) }
        #expect(options.badWordsIds == [[97, 98], [99]])
    }
}
