import ArgumentParser
import Foundation
import Image2Text
import Image2TextServer
import Logging
import ServiceLifecycle

/// `image2text serve`: the HTTP server (``Image2TextServer``) until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve captions, answers and classifications over HTTP, and OpenAI's chat completions API.",
        discussion: """
            Loads the model once and serves OpenAI's POST /v1/chat/completions (one user message with image_url parts \
            and at most one text part, the question; streaming, n, stop, logprobs; see docs/server.md) and GET \
            /v1/models, and POST /v1/caption, /v1/answer and /v1/classify (an image or video as \
            multipart/form-data field image or video, as base64 in a JSON object, or as the raw body with the other \
            fields in the query string; generation fields have transformers' names, e.g. max_new_tokens, num_beams), \
            GET /health, GET /metrics (Prometheus) and GET /openapi.json. Concurrent captions and answers with the \
            same options are decoded together, up to --max-batch-size, the first waiting at most --max-batch-wait-ms \
            for others; when more wait, up to one batch per --threads runs side by side, each on one core. A request may ask for at most \(ServerConfiguration.maximumBeams) beams or returned \
            sequences, and rank at most \(ServerConfiguration.maximumLabels) labels. Over --max-concurrent-requests the server answers 429; a request not done within \
            --request-timeout gets 408 (upload) or 503. SIGINT or SIGTERM stops accepting connections, finishes \
            every accepted request, then exits. Logs go to standard error, one line per request. A generation option \
            that has no effect as given (a temperature without do_sample, say) is named in the response's "warnings" \
            list, as the CLI prints it on standard error. JSON fields of images and videos take base64, bare or as a \
            data: URI (data:image/png;base64,...), as image_url does; labels take a list, or one comma-separated string.

            Examples:
              image2text serve --port 8080
              IMAGE2TEXT_API_KEY=secret image2text serve --host 0.0.0.0 --cors-origin https://app.example.com
              image2text serve --model microsoft/git-base-coco --max-batch-size 16 --num-beams 4
              curl -F image=@Fixtures/easyvqa/0.png localhost:8080/v1/caption
              curl -F image=@Fixtures/easyvqa/0.png -F question="what shape is in the image?" localhost:8080/v1/answer
              curl -F image=@Fixtures/easyvqa/0.png -F labels=circle,triangle localhost:8080/v1/classify
              curl --data-binary @cat.jpg -H "Content-Type: image/jpeg" "localhost:8080/v1/caption?num_beams=4"
            """)

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Default Generation Options (a request's fields override them)") var generationFlags: GenerationFlags

    @Option(name: .long, help: "Address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one; the log says which).")
    var port = 8080

    @Option(name: .long, help: ArgumentHelp("Most requests decoded together.", valueName: "N"))
    var maxBatchSize = 8

    @Option(name: .long, help: ArgumentHelp("How long a request waits for others to join its batch (at most 60000).", valueName: "MS"))
    var maxBatchWaitMs = 10

    @Option(name: .long, help: ArgumentHelp(
        "Largest request body (and fetched image), in megabytes (10^6 bytes; at most \(Int(Self.maximumBodyMb))).", valueName: "MB"))
    var maxBodyMb = 20.0

    @Option(name: .long, help: ArgumentHelp(
        "Largest image or video frame, in pixels, checked before decoding. Lower than the limit of the other commands "
            + "(Pillow's, \(ImageLimits.pillowDefault.maximumPixels) pixels): a decoded image takes 3 bytes a pixel until "
            + "its batch runs, so the server's requests may hold --max-concurrent-requests × 3 × N bytes (4.8 GB at the defaults).",
        valueName: "N"))
    var maxPixels = ServerConfiguration.defaultMaxPixels

    @Option(name: .long, help: ArgumentHelp("Most requests handled at once; more get 429.", valueName: "N"))
    var maxConcurrentRequests = 64

    @Option(name: .long, help: ArgumentHelp(
        "Longest time from a request's arrival to its result (at most \(Int(Self.maximumRequestTimeout)), a day).", valueName: "SECONDS"))
    var requestTimeout = 60.0

    /// A request body is held in one buffer, which holds less than 2^32 bytes.
    static let maximumBodyMb = 4000.0
    static let maximumRequestTimeout = 86_400.0

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Allow image_url fields naming this host (or *.domain); repeat for several. Without it URLs are refused.",
        valueName: "HOST"))
    var allowUrlHost: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Require Authorization: Bearer KEY on every route but /health (default: $\(Self.apiKeyVariable); none lets every request in).",
        valueName: "KEY"))
    var apiKey: String?

    static let apiKeyVariable = "IMAGE2TEXT_API_KEY"

    @Option(name: .long, help: ArgumentHelp(
        "Let browser pages from this origin (https://app.example.com, or * for any) call the server (CORS).", valueName: "ORIGIN"))
    var corsOrigin: String?

    @Option(name: .long, help: ArgumentHelp("Least severe log level: trace, debug, info, notice, warning, error, critical.", valueName: "LEVEL"))
    var logLevel = "info"

    @Option(name: .long, help: ArgumentHelp("Log lines as text (key=value metadata) or json (one object per line).", valueName: "FORMAT"))
    var logFormat = LogFormat.text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        for (name, value) in [("--max-batch-size", maxBatchSize), ("--max-pixels", maxPixels),
                              ("--max-concurrent-requests", maxConcurrentRequests)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard (0...60_000).contains(maxBatchWaitMs) else { throw ValidationError("--max-batch-wait-ms must be 0 to 60000") }
        guard maxBodyMb > 0, maxBodyMb <= Self.maximumBodyMb else {
            throw ValidationError("--max-body-mb must be more than 0 and at most \(Int(Self.maximumBodyMb))")
        }
        guard requestTimeout > 0, requestTimeout <= Self.maximumRequestTimeout else {
            throw ValidationError("--request-timeout must be more than 0 and at most \(Int(Self.maximumRequestTimeout)) seconds")
        }
        if apiKey?.isEmpty == true { throw ValidationError("--api-key must not be empty") }
        if corsOrigin?.isEmpty == true { throw ValidationError("--cors-origin must not be empty") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \"\(logLevel)\"") }
    }

    /// How chat completions name the model: the hub repository, else the folder's name.
    private var modelName: String? {
        if case .hub(let repository, _) = modelOptions.location.reference { "\(repository)" } else { nil }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { [logFormat] label in
            var handler: any LogHandler = switch logFormat {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label)
            }
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "image2text.serve")
        let model = try modelOptions.load()
        let defaultOptions = try generationFlags.options(tokenizer: model.tokenizer)
        let configuration = ServerConfiguration(
            host: host, port: port, maxBatchSize: maxBatchSize, maxBatchWait: .milliseconds(maxBatchWaitMs),
            maxBodyBytes: Int(maxBodyMb * 1_000_000), maxPixels: maxPixels, maxConcurrentRequests: maxConcurrentRequests,
            requestTimeout: .milliseconds(Int(requestTimeout * 1000)),
            urlAllowList: allowUrlHost.isEmpty ? nil : URLAllowList(allowUrlHost),
            defaultOptions: defaultOptions,
            apiKey: apiKey ?? ProcessInfo.processInfo.environment[Self.apiKeyVariable].flatMap { $0.isEmpty ? nil : $0 },
            corsOrigin: corsOrigin, modelName: modelName)
        try configuration.validate(for: model)
        // With a caption's prompt: the warnings of longer prompts come with each answer.
        for warning in try model.warnings(defaultOptions, promptLength: model.prompt(question: nil).count) {
            logger.warning("default generation options: \(warning)")
        }
        let server = Image2TextServer(model: model, configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
