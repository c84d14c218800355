import Foundation
import Image2Text

/// The three `/v1` tasks.
enum Endpoint: String, CaseIterable, Sendable {
    case caption
    case answer
    case classify

    var path: String { "/v1/\(rawValue)" }
}

/// Where a request's image or video comes from.
enum MediaSource: Sendable {
    /// Uploaded bytes; `name` identifies them in errors (the field, and the file name when one was sent).
    case bytes(Data, name: String)
    /// An `image_url` to fetch (only when the server's allow-list is set).
    case url(URL)
}

/// One parsed `/v1` request: its media and what to do with it.
struct InferenceRequest: Sendable {
    enum Task: Sendable {
        /// A caption (no question) or an answer, with the request's generation options merged over the server's.
        case generate(question: String?, options: GenerationOptions)
        case classify(labels: [String], question: String?)
    }

    let media: MediaSource
    let task: Task
    /// Video frames to sample (default: the checkpoint's frame count).
    let frames: Int?
    let orientation: ImageOrientation
}

/// Generation fields a request may set, by their transformers `generate()` names.
private let generationFieldNames = [
    "max_new_tokens", "max_length", "min_new_tokens", "min_length", "num_beams", "num_return_sequences",
    "length_penalty", "early_stopping", "do_sample", "temperature", "top_k", "top_p", "seed", "repetition_penalty",
    "no_repeat_ngram_size", "bad_words",
]

extension InferenceRequest {
    /// Reads the fields `endpoint` takes; refuses missing, malformed and unknown ones by name.
    init(endpoint: Endpoint, fields: RequestFields, defaults: GenerationOptions, model: GITModel) throws {
        var fields = fields
        media = try Self.media(&fields)
        frames = try fields.integer("frames", in: Self.range(of: "frames")!)
        if let frames, let supported = model.videoFrameCount, frames > supported {
            throw GenerationError.frameCount(frames, supported: supported)
        }
        orientation = try fields.bool("exif_orientation") == true ? .applyEXIF : .ignoreEXIF
        let question = try fields.string("question")
        let prompt = try model.prompt(question: question)
        switch endpoint {
        case .caption, .answer:
            if endpoint == .caption, question != nil { throw FieldError("question", "is for /v1/answer; /v1/caption takes none") }
            if endpoint == .answer, question == nil { throw FieldError("question", "is required") }
            let options = try Self.generationOptions(&fields, defaults: defaults, tokenizer: model.tokenizer)
            try model.checkLengthsFitPositionTable(options, promptLength: prompt.count)
            task = .generate(question: question, options: options)
        case .classify:
            if let name = generationFieldNames.first(where: { fields.unreadNames.contains($0) }) {
                throw FieldError(name, "does not apply to /v1/classify, which scores every label")
            }
            guard let labels = try fields.strings("labels") else { throw FieldError("labels", "is required") }
            if labels.count > ServerConfiguration.maximumLabels {
                throw FieldError("labels", "has \(labels.count) labels; at most \(ServerConfiguration.maximumLabels) are ranked at once")
            }
            task = .classify(labels: labels, question: question)
        }
        if let unknown = fields.unreadNames.first {
            throw FieldError(unknown, "is not a field of \(endpoint.path) (its fields: \(Self.fieldNames(endpoint).joined(separator: ", ")))")
        }
    }

    /// The whole numbers an integer field takes: the library's range of a generation option, but at most
    /// ``ServerConfiguration/maximumBeams`` beams and returned sequences. Nil for a field that is not an integer (`seed` is any `UInt64`).
    static func range(of field: String) -> ClosedRange<Int>? {
        switch field {
        case "frames": 1...Int.max
        case "num_beams", "num_return_sequences": 1...ServerConfiguration.maximumBeams
        default: GenerationOptions.range(of: field)
        }
    }

    /// Every field `endpoint` reads, as the OpenAPI document lists them.
    static func fieldNames(_ endpoint: Endpoint) -> [String] {
        let common = ["image", "video", "image_url", "question", "frames", "exif_orientation"]
        return endpoint == .classify ? common + ["labels"] : common + generationFieldNames
    }

    private static func media(_ fields: inout RequestFields) throws -> MediaSource {
        let url = try fields.string("image_url")
        let named = try ["image", "video"].compactMap { name in try fields.bytes(name).map { (name, $0) } }
        switch (named.count, url) {
        case (0, let url?):
            guard let parsed = URL(string: url), parsed.host != nil else { throw FieldError("image_url", "is not a URL") }
            return .url(parsed)
        case (1, nil):
            guard !named[0].1.isEmpty else { throw FieldError(named[0].0, "is empty") }
            return .bytes(named[0].1, name: named[0].0)
        case (0, nil):
            throw FieldError("image", "is required (or video, or image_url)")
        default:
            throw FieldError("image", "give one of image, video and image_url")
        }
    }

    /// `defaults` with the request's generation fields set over them.
    private static func generationOptions(
        _ fields: inout RequestFields, defaults: GenerationOptions, tokenizer: BertTokenizer
    ) throws -> GenerationOptions {
        var options = defaults
        func set<Value>(_ keyPath: WritableKeyPath<GenerationOptions, Value?>, _ value: Value?) {
            if let value { options[keyPath: keyPath] = value }
        }
        func integer(_ name: String) throws -> Int? { try fields.integer(name, in: range(of: name)!) }
        set(\.maxNewTokens, try integer("max_new_tokens"))
        set(\.maxLength, try integer("max_length"))
        set(\.minNewTokens, try integer("min_new_tokens"))
        set(\.minLength, try integer("min_length"))
        set(\.numBeams, try integer("num_beams"))
        set(\.numReturnSequences, try integer("num_return_sequences"))
        set(\.lengthPenalty, try fields.double("length_penalty"))
        set(\.earlyStopping, try earlyStopping(&fields))
        set(\.doSample, try fields.bool("do_sample"))
        set(\.temperature, try fields.double("temperature"))
        set(\.topK, try integer("top_k"))
        set(\.topP, try fields.double("top_p"))
        set(\.seed, try fields.integer("seed", in: UInt64.min...UInt64.max))
        set(\.repetitionPenalty, try fields.double("repetition_penalty"))
        set(\.noRepeatNgramSize, try integer("no_repeat_ngram_size"))
        set(\.badWordsIds, try fields.strings("bad_words")?.map { tokenizer.encode($0, addSpecialTokens: false) })
        return options
    }

    /// `early_stopping`: true, false or "never", as transformers takes it.
    private static func earlyStopping(_ fields: inout RequestFields) throws -> GenerationOptions.EarlyStopping? {
        switch try fields.take("early_stopping") {
        case nil: return nil
        case .bool(let value): return value ? .whenComplete : .heuristic
        case .text(let text):
            if let value = GenerationOptions.EarlyStopping(rawValue: text.lowercased()) { return value }
        default: break
        }
        throw FieldError("early_stopping", "must be true, false or \"never\"")
    }
}
