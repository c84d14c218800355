import Foundation
import Image2Text

/// A `POST /v1/chat/completions` body (OpenAI's chat completions), read into the same ``InferenceRequest`` the `/v1`
/// routes make, so that it joins their batches.
///
/// - `messages`: one user message whose `content` holds `image_url` parts (`{"url": …}`, or the URL as a bare string)
///   and at most one `text` part. Without text the model captions; the text is the prompt it continues: a question
///   for VQA checkpoints, a caption prefix for captioning ones, and the reply is the text generated after it. Several
///   images are the frames of one video, for video checkpoints. GIT has no chat template: system messages and earlier
///   turns are refused, not dropped.
/// - OpenAI's options map onto ``GenerationOptions``: `max_tokens` and `max_completion_tokens` are `max_new_tokens`;
///   `temperature` 0 decodes greedily and a positive one samples (unless `do_sample` says otherwise), absent it keeps
///   the server's default (greedy unless `serve` was started with `--do-sample`); `top_p` and `seed` keep their
///   names; `n` is beams when not sampling (`num_beams` at least `n`, `num_return_sequences` `n`) and independent
///   samples when sampling. transformers' names (`num_beams`, `repetition_penalty`, …) are taken as extra fields.
/// - `stop`, `logprobs` and `top_logprobs`, `stream` and `stream_options.include_usage` shape the reply.
/// - Other fields are ignored, as OpenAI-compatible servers do, and listed in the reply's
///   ``ChatCompletionsRoute/ignoredFieldsHeader`` header.
struct ChatCompletionRequest: Sendable {
    /// The media, prompt and generation options, as the `/v1` routes' requests.
    let inference: InferenceRequest
    let stream: Bool
    /// `stream_options.include_usage`: a last chunk with the usage.
    let includeUsage: Bool
    /// Strings that end the reply where one first appears (not included).
    let stop: [String]
    /// Alternatives per token when `logprobs` is true (`top_logprobs`, default 0); nil without `logprobs`.
    let topLogprobs: Int?
    /// The fields read but not acted on, sorted.
    let ignoredFields: [String]

    /// Most images one message may hold (the frames of one video).
    static let maximumImages = 64

    /// Every field read, as the OpenAPI document lists them: OpenAI's, then transformers' options and the `/v1`
    /// routes' media fields.
    static let fieldNames: [String] = {
        let openAI = ["messages", "model", "stream", "stream_options", "n", "max_tokens", "max_completion_tokens", "temperature",
                      "top_p", "seed", "stop", "logprobs", "top_logprobs"]
        return openAI + (GenerationOption.all.map(\.frontEndName) + ["frames", "exif_orientation"]).filter { !openAI.contains($0) }
    }()
}

extension ChatCompletionRequest {
    /// Reads a JSON body's fields; refuses a malformed or unsupported field by name (``FieldError``).
    init(fields: RequestFields, defaults: GenerationOptions, model: GITModel) throws {
        var fields = fields
        fields.removeNulls()
        let (media, text) = try Self.message(&fields, model: model)
        _ = try fields.string("model")  // any name: the server has one model, and replies with its name
        stream = try fields.bool("stream") ?? false
        includeUsage = try Self.includeUsage(&fields, stream: stream)
        stop = try Self.stopStrings(&fields)
        let logprobs = try fields.bool("logprobs") ?? false
        let top = try fields.integer("top_logprobs", in: 0...ServerConfiguration.maximumTopLogprobs)
        if top != nil, !logprobs { throw FieldError("top_logprobs", "needs logprobs: true") }
        topLogprobs = logprobs ? top ?? 0 : nil

        let choices = try fields.integer("n", in: 1...ServerConfiguration.maximumBeams)
        let temperature = try fields.double("temperature")
        if let temperature, !(0...2).contains(temperature) { throw FieldError("temperature", "must be 0 to 2, got \(temperature)") }
        let givesDoSample = fields.unreadNames.contains("do_sample")
        let lengthField = ["max_completion_tokens", "max_tokens", "max_new_tokens"].first(where: fields.unreadNames.contains)
        try fields.rename("max_completion_tokens", to: "max_new_tokens")
        try fields.rename("max_tokens", to: "max_new_tokens")
        let givenReturnSequences = fields.unreadNames.contains("num_return_sequences")
        var options = try Self.namingLength(lengthField) {
            try InferenceRequest.generationOptions(&fields, defaults: defaults, tokenizer: model.tokenizer)
        }
        switch temperature {
        case 0?:
            if givesDoSample, options.doSample == true { throw FieldError("temperature", "0 decodes greedily, but do_sample is true") }
            options.doSample = false
        case let temperature?:
            options.temperature = temperature
            if !givesDoSample { options.doSample = true }
        case nil: break
        }
        if let choices { try Self.setChoices(choices, in: &options, givenReturnSequences: givenReturnSequences, model: model) }

        let frames = try fields.integer("frames", in: InferenceRequest.range(of: "frames")!)
        let orientation: ImageOrientation = try fields.bool("exif_orientation") == true ? .applyEXIF : .ignoreEXIF
        let prompt = try model.prompt(question: text)
        try Self.namingLength(lengthField) { try model.checkLengthsFitPositionTable(options, promptLength: prompt.count) }
        let warnings = try model.warnings(options, promptLength: prompt.count).map(\.description)
        let frameCount: Int? = if case .frames(let images) = media { frames ?? min(images.count, model.videoFrameCount ?? 1) } else { frames }
        if let frameCount, let supported = model.videoFrameCount, frameCount > supported {
            throw GenerationError.frameCount(frameCount, supported: supported)
        }
        inference = InferenceRequest(media: media, task: .generate(question: text, options: options), frames: frameCount,
                                     orientation: orientation, warnings: warnings)
        ignoredFields = fields.unreadNames
    }

    /// Runs `body`, naming `max_new_tokens` in its errors as the request named it (`max_tokens`, say).
    private static func namingLength<T>(_ name: String?, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FieldError where error.field == "max_new_tokens" {
            throw FieldError(name ?? error.field, error.problem)
        } catch GenerationError.invalidOption("max_new_tokens", let reason) {
            throw FieldError(name ?? "max_new_tokens", reason)
        }
    }

    /// `n` choices: beams when decoding greedily (`num_beams` at least `n`), samples when sampling; `n` returned
    /// sequences either way.
    private static func setChoices(_ choices: Int, in options: inout GenerationOptions, givenReturnSequences: Bool,
                                   model: GITModel) throws {
        if givenReturnSequences, options.numReturnSequences != choices {
            throw FieldError("n", "is \(choices), but num_return_sequences is \(options.numReturnSequences ?? 1): give one")
        }
        let configured = model.generationConfig.options
        let sampling = options.doSample ?? configured.doSample ?? false
        let beams = options.numBeams ?? configured.numBeams ?? 1
        if !sampling || beams > 1 { options.numBeams = max(choices, beams) }
        options.numReturnSequences = choices
    }

    /// The one user message's images and text.
    private static func message(_ fields: inout RequestFields, model: GITModel) throws -> (MediaSource, String?) {
        guard let value = try fields.take("messages") else { throw FieldError("messages", "is required") }
        guard case .list(let messages) = value, !messages.isEmpty else { throw FieldError("messages", "must be a non-empty list of messages") }
        var user: [String: RequestFields.Value]?
        for (index, message) in messages.enumerated() {
            guard case .object(let message) = message, case .text(let role)? = message["role"] else {
                throw FieldError("messages[\(index)]", "must be an object with a role")
            }
            switch role {
            case "user" where user == nil:
                user = message
            case "user":
                throw FieldError("messages[\(index)]", "is a second user message: GIT has no chat template, so a request holds one user message")
            case "system", "developer":
                throw FieldError("messages[\(index)].role", "\(role) messages are not supported: GIT has no chat template and no system prompt; send one user message")
            default:
                throw FieldError("messages[\(index)].role", "\(role) turns are not supported: GIT has no chat template, so a request holds one user message and no earlier turns")
            }
        }
        let field = "messages[0].content"
        var images: [MediaSource] = []
        var texts: [String] = []
        switch user?["content"] {
        case .text(let text)?:
            texts = [text]
        case .list(let parts)?:
            for (index, part) in parts.enumerated() {
                let name = "\(field)[\(index)]"
                guard case .object(let part) = part, case .text(let type)? = part["type"] else {
                    throw FieldError(name, "must be an object with a type")
                }
                switch (type, part[type]) {
                case ("text", .text(let text)?):
                    texts.append(text)
                case ("image_url", .text(let url)?):
                    images.append(try MediaSource(imageURL: url, field: "\(name).image_url"))
                case ("image_url", .object(let image)?):
                    guard case .text(let url)? = image["url"] else { throw FieldError("\(name).image_url.url", "is required") }
                    images.append(try MediaSource(imageURL: url, field: "\(name).image_url"))
                case ("text", _), ("image_url", _):
                    throw FieldError("\(name).\(type)", type == "text" ? "must be a string" : "must be {\"url\": URL} or a URL")
                default:
                    throw FieldError("\(name).type", "\(type) parts are not supported: give image_url and text parts")
                }
            }
        default:
            throw FieldError(field, "must be a string or a list of parts")
        }
        guard texts.count <= 1 else { throw FieldError(field, "has \(texts.count) text parts; give at most one (the question or caption prefix)") }
        switch images.count {
        case 0:
            throw FieldError(field, "has no image: give an image_url part (a data: URI, or a URL the server may fetch)")
        case 1:
            return (images[0], texts.first)
        case let count where model.videoFrameCount == nil:
            throw FieldError(field, "has \(count) images: several images are the frames of a video, and this is not a video checkpoint; send one image")
        case let count where count > maximumImages:
            throw FieldError(field, "has \(count) images; at most \(maximumImages) frames are read")
        default:
            return (.frames(images), texts.first)
        }
    }

    /// `stream_options.include_usage`; stream options without `stream` are refused, as OpenAI does.
    private static func includeUsage(_ fields: inout RequestFields, stream: Bool) throws -> Bool {
        guard let value = try fields.take("stream_options") else { return false }
        guard stream else { throw FieldError("stream_options", "is only allowed with stream: true") }
        guard case .object(let options) = value else { throw FieldError("stream_options", "must be an object") }
        var nested = RequestFields(options)
        nested.removeNulls()
        do {
            return try nested.bool("include_usage") ?? false
        } catch let error as FieldError {
            throw FieldError("stream_options.\(error.field)", error.problem)
        }
    }

    /// `stop`: one string or a list of at most ``ServerConfiguration/maximumStopStrings``, none empty.
    private static func stopStrings(_ fields: inout RequestFields) throws -> [String] {
        let strings = try fields.strings("stop") ?? []
        guard strings.count <= ServerConfiguration.maximumStopStrings else {
            throw FieldError("stop", "has \(strings.count) strings; at most \(ServerConfiguration.maximumStopStrings) are taken")
        }
        for string in strings where string.isEmpty || string.count > ServerConfiguration.maximumStopStringLength {
            throw FieldError("stop", "strings must have 1 to \(ServerConfiguration.maximumStopStringLength) characters")
        }
        return strings
    }
}
