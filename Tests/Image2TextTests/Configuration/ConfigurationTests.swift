import Foundation
import Testing
@testable import Image2Text

@Suite struct ConfigurationTests {
    private func write(_ json: String, name: String = "config.json") throws -> URL {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url
    }

    @Test("a hub config.json storing only non-default vision keys gets transformers' defaults (docs/checkpoints.md)")
    func hubConfigDefaults() throws {
        let url = try write("""
            {"architectures": ["GitForCausalLM"], "model_type": "git", "vocab_size": 30522, "hidden_size": 768,
             "num_hidden_layers": 6, "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
             "max_position_embeddings": 1024, "layer_norm_eps": 1e-12, "pad_token_id": 0, "bos_token_id": 101,
             "eos_token_id": 102, "tie_word_embeddings": false, "num_image_with_embedding": null, "torch_dtype": "float32",
             "vision_config": {"dropout": 0.0, "initializer_factor": 1.0, "model_type": "git_vision_model", "projection_dim": 512}}
            """)
        let config = try GitConfig.load(from: url)
        #expect(config.visionConfig.hiddenSize == 768 && config.visionConfig.numHiddenLayers == 12)
        #expect(config.visionConfig.tokensPerImage == 197 && config.visionConfig.hiddenAct == "quick_gelu")
        #expect(config.visionConfig.layerNormEps == 1e-5 && config.layerNormEps == 1e-12)
        #expect(config.eosTokenIds == [102] && config.dtype == "float32" && config.numImageWithEmbedding == nil)
    }

    @Test("an empty object is the default GitConfig(); 5.x files spell the dtype 'dtype'")
    func emptyAndDType() throws {
        let config = try GitConfig.load(from: try write(#"{"dtype": "float16", "eos_token_id": [102, 5]}"#))
        #expect(config.hiddenSize == 768 && config.vocabSize == 30522 && config.maxPositionEmbeddings == 1024)
        #expect(config.dtype == "float16" && config.eosTokenIds == [102, 5])
    }

    @Test("wrongly typed keys are named with their path", arguments: [
        (#"{"hidden_size": "768"}"#, "hidden_size"),
        (#"{"vision_config": {"image_size": 224.5}}"#, "vision_config.image_size"),
        (#"{"eos_token_id": "sep"}"#, "eos_token_id"),
        (#"{"vision_config": []}"#, "vision_config"),
    ])
    func wrongType(json: String, keyPath: String) throws {
        let url = try write(json)
        do {
            _ = try GitConfig.load(from: url)
            Issue.record("no error for \(json)")
        } catch let error as ConfigurationError {
            switch error {
            case .wrongType(let file, let path, _), .invalidValue(let file, let path, _):
                #expect(file == url && path == keyPath)
            default: Issue.record("unexpected \(error)")
            }
        }
    }

    @Test("values the model cannot run with are rejected by key", arguments: [
        (#"{"hidden_size": 100}"#, "hidden_size"),
        (#"{"vision_config": {"image_size": 230}}"#, "vision_config.image_size"),
        (#"{"num_hidden_layers": 0}"#, "num_hidden_layers"),
        (#"{"hidden_act": "swish"}"#, "hidden_act"),
        (#"{"model_type": "bert"}"#, "model_type"),
        (#"{"eos_token_id": 40000}"#, "eos_token_id"),
    ])
    func invalidValues(json: String, keyPath: String) throws {
        let url = try write(json)
        #expect { try GitConfig.load(from: url) } throws: { error in
            guard case ConfigurationError.invalidValue(url, keyPath, _) = error else { return false }
            return true
        }
    }

    @Test("broken JSON and a missing file are typed errors")
    func brokenFiles() throws {
        let url = try write("{\"hidden_size\": ")
        #expect { try GitConfig.load(from: url) } throws: { error in
            guard case ConfigurationError.invalidJSON(url, _) = error else { return false }
            return true
        }
        let missing = URL(fileURLWithPath: "/nonexistent/config.json")
        #expect(throws: ConfigurationError.missingFile(missing)) { try GitConfig.load(from: missing) }
    }

    @Test("generation_config.json: file values, ids filled from config.json, early_stopping forms")
    func generationConfig() throws {
        let model = try GitConfig.load(from: try write("{}"))
        let url = try write(#"{"max_length": 50, "num_beams": 4, "early_stopping": "never", "pad_token_id": 0}"#,
                            name: "generation_config.json")
        let generation = try GenerationConfig.load(from: url, modelConfig: model)
        #expect(generation.options.maxLength == 50 && generation.options.numBeams == 4 && generation.options.earlyStopping == .never)
        #expect(generation.bosTokenId == 101 && generation.eosTokenIds == [102] && generation.padTokenId == 0)
        let flag = try GenerationConfig.load(from: try write(#"{"early_stopping": true}"#, name: "generation_config.json"),
                                             modelConfig: model)
        #expect(flag.options.earlyStopping == .whenComplete)
        let bad = try write(#"{"early_stopping": "sometimes"}"#, name: "generation_config.json")
        #expect(throws: ConfigurationError.self) { try GenerationConfig.load(from: bad, modelConfig: model) }
    }

    @Test("generation_config.json: absurd values are refused naming the file and key", arguments: [
        (#"{"num_beams": 1e6}"#, "num_beams"), (#"{"num_beams": 0}"#, "num_beams"),
        (#"{"num_return_sequences": 9223372036854775807}"#, "num_return_sequences"),
        (#"{"max_new_tokens": 0}"#, "max_new_tokens"), (#"{"max_length": -1}"#, "max_length"),
        (#"{"max_length": 1e300}"#, "max_length"), (#"{"min_new_tokens": -9223372036854775808}"#, "min_new_tokens"),
        (#"{"top_k": -5}"#, "top_k"), (#"{"no_repeat_ngram_size": -1}"#, "no_repeat_ngram_size"),
        (#"{"temperature": 0}"#, "temperature"), (#"{"temperature": 1e-320}"#, "temperature"), (#"{"temperature": 1e300}"#, "temperature"),
        (#"{"top_p": 1.5}"#, "top_p"), (#"{"top_p": 5e-324}"#, "top_p"), (#"{"repetition_penalty": -1}"#, "repetition_penalty"),
        (#"{"length_penalty": 1e-310}"#, "length_penalty"),
        (#"{"bad_words_ids": [[40000]]}"#, "bad_words_ids"), (#"{"bad_words_ids": [[]]}"#, "bad_words_ids"),
        (#"{"bad_words_ids": [[5, 1.5]]}"#, "bad_words_ids.0.1"),
        (#"{"bos_token_id": 40000}"#, "bos_token_id"), (#"{"pad_token_id": -1}"#, "pad_token_id"),
        (#"{"eos_token_id": [102, 1000000000]}"#, "eos_token_id"), (#"{"eos_token_id": []}"#, "eos_token_id"),
    ])
    func generationConfigOutOfRange(json: String, keyPath: String) throws {
        let model = try GitConfig.load(from: try write("{}"))
        let url = try write(json, name: "generation_config.json")
        #expect { try GenerationConfig.load(from: url, modelConfig: model) } throws: { error in
            switch error {
            case ConfigurationError.invalidValue(url, keyPath, _), ConfigurationError.wrongType(url, keyPath, _): true
            default: false
            }
        }
    }

    @Test("generation_config.json: lengths up to Int.max are exact, and values at the edges load")
    func generationConfigEdges() throws {
        let model = try GitConfig.load(from: try write("{}"))
        let url = try write(#"""
            {"max_new_tokens": 9223372036854775807, "min_length": 9223372036854775807, "num_beams": 256, "top_k": 9223372036854775807,
             "temperature": 1.2e-38, "length_penalty": 0, "top_p": 1, "bad_words_ids": [[30521, 0]]}
            """#, name: "generation_config.json")
        let config = try GenerationConfig.load(from: url, modelConfig: model)
        #expect(config.options.maxNewTokens == .max && config.options.minLength == .max && config.options.topK == .max && config.options.numBeams == 256)
        #expect(config.options.badWordsIds == [[30521, 0]])
    }
}
