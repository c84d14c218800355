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
    /// The frames of one video, each an image (a chat completion's several images).
    case frames([MediaSource])

    /// What an `image_url` names: the bytes of a base64 `data:` URI, read as they are (no fetch, whatever the
    /// allow-list), or a URL to fetch. `field` names it in errors.
    init(imageURL: String, field: String) throws {
        if imageURL.prefix(5).lowercased() == "data:" {
            let data = try RequestFields.decodeBase64(imageURL, field: field)
            guard !data.isEmpty else { throw FieldError(field, "is empty") }
            self = .bytes(data, name: field)
        } else {
            guard let url = URL(string: imageURL), url.host != nil else { throw FieldError(field, "is not a URL") }
            self = .url(url)
        }
    }

    /// How results and errors name it: the field it came in, or the URL.
    var name: String {
        switch self {
        case .bytes(_, let name): name
        case .url(let url): url.absoluteString
        case .frames(let frames): frames.map(\.name).joined(separator: " ")
        }
    }
}

/// One parsed `/v1` request: its media and what to do with it.
struct InferenceRequest: Sendable {
    enum Task: Sendable {
        /// A caption (no question) or an answer, with the request's generation options merged over the server's.
        case generate(question: String?, options: GenerationOptions)
        case classify(labels: [String], question: String?)

        /// The library's task.
        var item: TaskItem.Task {
            switch self {
            case .generate(let question, _): .generate(question: question)
            case .classify(let labels, let question): .classify(labels: labels, question: question)
            }
        }
    }

    let media: MediaSource
    let task: Task
    /// How the result names the media: the field it came in, or the URL.
    var inputName: String { media.name }
    /// Video frames to sample (default: the checkpoint's frame count).
    let frames: Int?
    let orientation: ImageOrientation
    /// The generation options' warnings (``GenerationWarning``), returned with the result.
    let warnings: [String]
}

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
            warnings = try model.warnings(options, promptLength: prompt.count).map(\.description)
            task = .generate(question: question, options: options)
        case .classify:
            if let name = GenerationOption.all.map(\.frontEndName).first(where: { fields.unreadNames.contains($0) }) {
                throw FieldError(name, "does not apply to /v1/classify, which scores every label")
            }
            guard let labels = try fields.labels("labels") else { throw FieldError("labels", "is required") }
            if labels.count > ServerConfiguration.maximumLabels {
                throw FieldError("labels", "has \(labels.count) labels; at most \(ServerConfiguration.maximumLabels) are ranked at once")
            }
            task = .classify(labels: labels, question: question)
            warnings = []
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
        default: GenerationOption.named(field)?.integerRange
        }
    }

    /// Every field `endpoint` reads, as the OpenAPI document lists them.
    static func fieldNames(_ endpoint: Endpoint) -> [String] {
        let common = ["image", "video", "image_url", "question", "frames", "exif_orientation"]
        return endpoint == .classify ? common + ["labels"] : common + GenerationOption.all.map(\.frontEndName)
    }

    private static func media(_ fields: inout RequestFields) throws -> MediaSource {
        let url = try fields.string("image_url")
        let named = try ["image", "video"].compactMap { name in try fields.bytes(name).map { (name, $0) } }
        switch (named.count, url) {
        case (0, let url?):
            return try MediaSource(imageURL: url, field: "image_url")
        case (1, nil):
            guard !named[0].1.isEmpty else { throw FieldError(named[0].0, "is empty") }
            return .bytes(named[0].1, name: named[0].0)
        case (0, nil):
            throw FieldError("image", "is required (or video, or image_url)")
        default:
            throw FieldError("image", "give one of image, video and image_url")
        }
    }

    /// `defaults` with the request's generation fields, read by ``GenerationOption/all``, set over them.
    static func generationOptions(
        _ fields: inout RequestFields, defaults: GenerationOptions, tokenizer: BertTokenizer
    ) throws -> GenerationOptions {
        var options = defaults
        for option in GenerationOption.all {
            guard let value = try fields.value(of: option, range: range(of: option.frontEndName)) else { continue }
            do {
                try option.set(value, in: &options) { tokenizer.encode($0, addSpecialTokens: false) }
            } catch {
                throw FieldError(option.frontEndName, error.reason)
            }
        }
        return options
    }
}
