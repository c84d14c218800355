import Foundation
import Image2Text

/// The body of a chat completion (`object: "chat.completion"`), in OpenAI's shape.
struct ChatCompletionResponse: Encodable {
    let id: String
    let object = "chat.completion"
    let created: Int
    let model: String
    let choices: [Choice]
    let usage: Usage

    struct Choice: Encodable {
        let index: Int
        let message: Message
        /// `null` unless the request asked for `logprobs`.
        let logprobs: ChatLogprobs?
        let finishReason: String

        struct Message: Encodable {
            let role = "assistant"
            let content: String
        }

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs, finishReason = "finish_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(message, forKey: .message)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }
}

/// Tokens counted as OpenAI counts them. The prompt's tokens include the image tokens the decoder reads (per frame,
/// one per patch plus one), then `[CLS]` and the text's tokens; the completion's are the generated tokens of every
/// choice, the end-of-sequence token included.
struct Usage: Encodable {
    let promptTokens: Int
    let completionTokens: Int
    var totalTokens: Int { promptTokens + completionTokens }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
    }
}

/// A choice's `logprobs`: every generated token with its log-probability and, as asked by `top_logprobs`, the most
/// likely tokens at its position. Tokens are the vocabulary's WordPiece tokens (`##s` continues a word).
struct ChatLogprobs: Encodable {
    let content: [Token]

    struct Token: Encodable {
        let token: String
        let logprob: Float
        let bytes: [UInt8]
        let topLogprobs: [Alternative]

        enum CodingKeys: String, CodingKey {
            case token, logprob, bytes, topLogprobs = "top_logprobs"
        }
    }

    struct Alternative: Encodable {
        let token: String
        let logprob: Float
        let bytes: [UInt8]
    }

    init(_ tokens: [TokenLogProbability], tokenizer: BertTokenizer) throws {
        func text(_ id: Int) throws -> String { try tokenizer.convertIdsToTokens([id])[0] }
        content = try tokens.map { token in
            let name = try text(token.token.id)
            return Token(token: name, logprob: token.token.logProbability, bytes: Array(name.utf8),
                         topLogprobs: try token.alternatives.map { alternative in
                             let name = try text(alternative.id)
                             return Alternative(token: name, logprob: alternative.logProbability, bytes: Array(name.utf8))
                         })
        }
    }
}

/// One server-sent event of a streamed chat completion (`object: "chat.completion.chunk"`): a delta of one choice,
/// or (with `choices` empty) the usage.
struct ChatCompletionChunk: Encodable {
    let id: String
    let object = "chat.completion.chunk"
    let created: Int
    let model: String
    let choices: [Choice]
    /// Written only when the request asked for the usage: `null` on every chunk but the last.
    let usage: Usage?
    let includesUsage: Bool

    struct Choice: Encodable {
        let index: Int
        let delta: Delta
        let logprobs: ChatLogprobs?
        let finishReason: String?

        struct Delta: Encodable {
            var role: String?
            var content: String?
        }

        enum CodingKeys: String, CodingKey {
            case index, delta, logprobs, finishReason = "finish_reason"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encode(logprobs, forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        if includesUsage { try container.encode(usage, forKey: .usage) }
    }
}
