import Image2Text

/// How `image2text serve` listens, batches and limits its work.
public struct ServerConfiguration: Sendable {
    /// The address to bind; loopback unless the server should be reachable from other machines.
    public var host: String
    /// The port to bind; 0 picks a free one (``Image2TextServer`` reports it once listening).
    public var port: Int
    /// Most caption or answer requests decoded together in one batch.
    public var maxBatchSize: Int
    /// How long the first request of a batch waits for others to join it.
    public var maxBatchWait: Duration
    /// Largest request body accepted, in bytes (413 above it); also the largest image fetched from a URL.
    public var maxBodyBytes: Int
    /// Largest image or video frame accepted, in pixels (413 above it), checked from the header before decoding.
    public var maxPixels: Int
    /// The default of ``maxPixels``: 25 megapixels, a 6000×4000 photo, lower than the CLI's limit (Pillow's,
    /// ``ImageLimits/pillowDefault``, 179 megapixels). A decoded image takes 3 bytes a pixel and is held until its
    /// batch runs, so the requests of a server may hold up to ``maxConcurrentRequests`` × 3 × `maxPixels` bytes
    /// (4.8 GB at the defaults; 34 GB at Pillow's limit).
    public static let defaultMaxPixels = 25_000_000
    /// Most beams and returned sequences a request may ask for (the library takes up to
    /// ``GenerationOption/maximumSequences``): each is a decoder row at every step.
    public static let maximumBeams = 16
    /// Most labels one classification may rank: each distinct label prefix is a decoder row with a text cache of its own.
    public static let maximumLabels = 1000
    /// Most requests handled at once, from upload to response; more are refused with 429.
    public var maxConcurrentRequests: Int
    /// Longest time from a request's arrival to its result; past it the client gets 408 (upload) or 503.
    public var requestTimeout: Duration
    /// Hosts that `image_url` may name; nil turns URL fetching off (the default).
    public var urlAllowList: URLAllowList?
    /// Generation options every request starts from; a request's own fields override them.
    public var defaultOptions: GenerationOptions
    /// The key every request but `GET /health` must carry as `Authorization: Bearer KEY`; nil lets every request in.
    public var apiKey: String?
    /// The origin (`https://app.example.com`) browsers may call the server from (CORS); `*` allows any. Nil: no CORS
    /// headers, so browsers keep pages of other origins from reading the replies.
    public var corsOrigin: String?
    /// The model's name in chat completions and `GET /v1/models` (the hub repository, say); nil: its folder's name.
    public var modelName: String?
    /// Most stop strings a chat completion may give, as OpenAI allows.
    public static let maximumStopStrings = 4
    /// Most characters in one stop string.
    public static let maximumStopStringLength = 1000
    /// Most alternatives per token a chat completion's `top_logprobs` may ask for, as OpenAI allows.
    public static let maximumTopLogprobs = 20

    public init(host: String = "127.0.0.1", port: Int = 8080, maxBatchSize: Int = 8,
                maxBatchWait: Duration = .milliseconds(10), maxBodyBytes: Int = 20_000_000,
                maxPixels: Int = defaultMaxPixels, maxConcurrentRequests: Int = 64, requestTimeout: Duration = .seconds(60),
                urlAllowList: URLAllowList? = nil, defaultOptions: GenerationOptions = .init(), apiKey: String? = nil,
                corsOrigin: String? = nil, modelName: String? = nil) {
        self.host = host
        self.port = port
        self.maxBatchSize = maxBatchSize
        self.maxBatchWait = maxBatchWait
        self.maxBodyBytes = maxBodyBytes
        self.maxPixels = maxPixels
        self.maxConcurrentRequests = maxConcurrentRequests
        self.requestTimeout = requestTimeout
        self.urlAllowList = urlAllowList
        self.defaultOptions = defaultOptions
        self.apiKey = apiKey
        self.corsOrigin = corsOrigin
        self.modelName = modelName
    }
}

extension ServerConfiguration {
    /// Throws ``GenerationError/invalidOption(_:reason:)`` when the default options are not ones `model` generates
    /// with, or ask for more beams or returned sequences than a request may (``maximumBeams``).
    public func validate(for model: GITModel) throws {
        for (name, value) in [("num_beams", defaultOptions.numBeams), ("num_return_sequences", defaultOptions.numReturnSequences)] {
            if let value, value > Self.maximumBeams {
                throw GenerationError.invalidOption(name, reason: "a server's default is at most \(Self.maximumBeams), got \(value)")
            }
        }
        try model.validate(defaultOptions)
    }
}

/// The hosts an `image_url` may point at: exact names (`images.example.com`) or a domain and its subdomains
/// (`*.example.com`), compared without case. Only `http` and `https` URLs qualify, and redirects are not followed.
public struct URLAllowList: Sendable, Equatable {
    public let patterns: [String]

    public init(_ patterns: [String]) {
        self.patterns = patterns.map { $0.lowercased() }
    }

    public func allows(host: String) -> Bool {
        let host = host.lowercased()
        return patterns.contains { pattern in
            if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) }
            return host == pattern
        }
    }
}
