import Foundation
import HTTPTypes
import Hummingbird
import Image2Text
import NIOCore
import NIOPosix

/// `POST /v1/chat/completions` (``ChatCompletionRequest``). The request joins the same batches as the `/v1` routes'.
///
/// Streamed (`stream: true`), the reply is server-sent events: a chunk with the assistant role for each choice, the
/// content, a chunk with each choice's `finish_reason` (and `logprobs`), the usage when asked, then `data: [DONE]`.
/// Greedy decoding and sampling of one choice stream token by token as the batch decodes (text is released at word
/// ends); beams and several samples are decided only at the end, so each of their choices comes as one piece then.
enum ChatCompletionsRoute {
    /// Lists the request's fields that were not acted on (unknown, or OpenAI's without a GIT counterpart).
    static let ignoredFieldsHeader = "X-Image2Text-Ignored-Fields"
    /// The generation options that have no effect as given (``GenerationWarning``), separated by `; `.
    static let warningsHeader = "X-Image2Text-Warnings"

    /// What the stream of a streamed request carries, in order.
    enum Event: Sendable {
        case text(String)
        case finished(Result<TaskResult, any Error>)
        case timedOut
    }
}

extension RequestHandler {
    /// Reads and queues a chat completion; answers it whole, or returns the stream that will carry it.
    func chatCompletion(_ request: Request, body: ByteBuffer, deadline: ContinuousClock.Instant) async throws -> Reply {
        let chat = try ChatCompletionRequest(fields: RequestFields.json(body), defaults: configuration.defaultOptions, model: model)
        let media = try await loader.load(chat.inference)
        let reply = ChatReply(request: chat, model: model, name: modelName, imageTokens: model.imageTokenCount(media))
        var headers = HTTPFields()
        if !chat.ignoredFields.isEmpty { headers[HTTPField.Name(ChatCompletionsRoute.ignoredFieldsHeader)!] = chat.ignoredFields.joined(separator: ", ") }
        if !chat.inference.warnings.isEmpty { headers[HTTPField.Name(ChatCompletionsRoute.warningsHeader)!] = chat.inference.warnings.joined(separator: "; ") }
        guard chat.stream else {
            let result = try await run(PendingJob(request: chat.inference, media: media, logProbabilityAlternatives: chat.topLogprobs))
            var response = try JSONResponse.encode(reply.completion(result))
            response.headers.append(contentsOf: headers)
            return .complete(response)
        }
        let (events, continuation) = AsyncStream.makeStream(of: ChatCompletionsRoute.Event.self)
        var onText: (@Sendable (String) -> Void)?
        if reply.streamsTokens { onText = { @Sendable piece in continuation.yield(.text(piece)) } }
        let job = PendingJob(request: chat.inference, media: media, onText: onText, logProbabilityAlternatives: chat.topLogprobs)
        try Task.checkCancellation()
        try queue.enqueue(job)
        headers[.contentType] = ServerSentEvents.contentType
        headers[.cacheControl] = "no-cache"
        return .streaming(Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { admission.leave() }
            try await stream(job, reply: reply, events: events, continuation: continuation, deadline: deadline, to: &writer)
        }))
    }

    /// Writes the events of `job` as it runs, until its result, an error or the deadline; then `[DONE]`. A client that
    /// hangs up ends the writing, and the job leaves the queue.
    private func stream(_ job: PendingJob, reply: ChatReply, events: AsyncStream<ChatCompletionsRoute.Event>,
                        continuation: AsyncStream<ChatCompletionsRoute.Event>.Continuation, deadline: ContinuousClock.Instant,
                        to writer: inout any ResponseBodyWriter) async throws {
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(ContinuousClock.now.duration(to: deadline))) {
            continuation.yield(.timedOut)
        }
        defer { timer.cancel() }
        var chunks = reply.chunks()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    continuation.yield(.finished(.success(try await outcome(of: job))))
                } catch {
                    continuation.yield(.finished(.failure(error)))
                }
            }
            try await writer.write(chunks.start())
            events: for await event in events {
                switch event {
                case .text(let piece):
                    if let chunk = try chunks.text(piece) { try await writer.write(chunk) }
                case .finished(.success(let result)):
                    try await writer.write(chunks.finish(result))
                    break events
                case .finished(.failure(let error)):
                    try await writer.write(ServerSentEvents.event(ErrorEvent(error: APIError.from(error))))
                    break events
                case .timedOut:
                    let timeout = APIError.timeout(seconds: configuration.requestTimeout.seconds)
                    job.finish(.failure(timeout))
                    queue.remove(job)
                    try await writer.write(ServerSentEvents.event(ErrorEvent(error: timeout)))
                    break events
                }
            }
            try await writer.write(ServerSentEvents.done)
            group.cancelAll()
        }
        try await writer.finish(nil)
    }

    /// An error in the middle of a stream, in OpenAI's shape, which its clients raise.
    private struct ErrorEvent: Encodable {
        let error: APIError
    }
}

/// The reply to one chat completion: its id, time and model, and how its results become choices, usage and chunks.
struct ChatReply: Sendable {
    let request: ChatCompletionRequest
    let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let created = Int(Date().timeIntervalSince1970)
    let name: String
    let tokenizer: BertTokenizer
    let endOfSequence: [Int]
    let imageTokens: Int
    /// Whether the text streams as it is decoded: greedy decoding or sampling of one sequence, the options merged
    /// with the checkpoint's generation config as the library merges them.
    let streamsTokens: Bool
    /// The choices the result will hold (`n`, or `num_return_sequences`).
    let choiceCount: Int

    init(request: ChatCompletionRequest, model: GITModel, name: String, imageTokens: Int) {
        self.request = request
        self.name = name
        tokenizer = model.tokenizer
        endOfSequence = model.endOfSequence
        self.imageTokens = imageTokens
        let configured = model.generationConfig.options
        let options = if case .generate(_, let options) = request.inference.task { options } else { GenerationOptions() }
        choiceCount = options.numReturnSequences ?? configured.numReturnSequences ?? 1
        streamsTokens = (options.numBeams ?? configured.numBeams ?? 1) == 1 && choiceCount == 1
    }

    /// One choice of a result.
    struct Choice {
        let content: String
        let finishReason: String
        let logprobs: ChatLogprobs?
        /// Generated tokens, the end-of-sequence token included.
        let tokens: Int
    }

    /// The result's sequences as choices, best score first: each cut at the first stop string, which makes its
    /// finish reason `stop` as the end-of-sequence token does; `length` when it reached its length limit.
    func choices(_ result: TaskResult) throws -> (choices: [Choice], usage: Usage) {
        guard case .generation(let sequences, let promptIds) = result.output else { throw APIError.badRequest("not a generation") }
        let ranked = sequences.indices.sorted { a, b in
            let (x, y) = (sequences[a].score ?? -.infinity, sequences[b].score ?? -.infinity)
            return x > y || (x == y && a < b)
        }
        let choices = try ranked.map { index in
            let sequence = sequences[index]
            let (content, stopped) = StopStringCutter.cut(sequence.answer ?? sequence.text, at: request.stop)
            let generated = sequence.ids.dropFirst(promptIds.count)
            let tokens = sequence.tokenLogProbabilities?.count
                ?? generated.firstIndex(where: endOfSequence.contains).map { $0 - generated.startIndex + 1 } ?? generated.count
            return Choice(content: content, finishReason: stopped || sequence.finishReason == "eos" ? "stop" : "length",
                          logprobs: try sequence.tokenLogProbabilities.map { try ChatLogprobs($0, tokenizer: tokenizer) },
                          tokens: tokens)
        }
        return (choices, Usage(promptTokens: imageTokens + promptIds.count, completionTokens: choices.map(\.tokens).reduce(0, +)))
    }

    /// The whole reply (`chat.completion`).
    func completion(_ result: TaskResult) throws -> ChatCompletionResponse {
        let (choices, usage) = try choices(result)
        return ChatCompletionResponse(
            id: id, created: created, model: name,
            choices: choices.enumerated().map { index, choice in
                .init(index: index, message: .init(content: choice.content), logprobs: choice.logprobs, finishReason: choice.finishReason)
            },
            usage: usage)
    }

    func chunks() -> Chunks { Chunks(reply: self) }

    /// The chunks of a streamed reply, in order.
    struct Chunks {
        let reply: ChatReply
        private var cutter: StopStringCutter
        /// The first choice's text sent so far.
        private var sent = ""

        init(reply: ChatReply) {
            self.reply = reply
            cutter = StopStringCutter(reply.request.stop)
        }

        private func chunk(_ choices: [ChatCompletionChunk.Choice], usage: Usage? = nil) throws -> ByteBuffer {
            try ServerSentEvents.event(ChatCompletionChunk(id: reply.id, created: reply.created, model: reply.name, choices: choices,
                                                           usage: usage, includesUsage: reply.request.includeUsage))
        }

        private func content(_ index: Int, _ text: String) throws -> ByteBuffer {
            try chunk([.init(index: index, delta: .init(content: text), logprobs: nil, finishReason: nil)])
        }

        /// The assistant role of each choice, with empty content, as OpenAI's first chunk.
        func start() throws -> ByteBuffer {
            let count = reply.choiceCount
            var buffer = ByteBuffer()
            for index in 0..<count {
                var event = try chunk([.init(index: index, delta: .init(role: "assistant", content: ""), logprobs: nil, finishReason: nil)])
                buffer.writeBuffer(&event)
            }
            return buffer
        }

        /// A piece of the first choice's text, held back while it may begin a stop string.
        mutating func text(_ piece: String) throws -> ByteBuffer? {
            let released = cutter.append(piece)
            guard !released.isEmpty else { return nil }
            sent += released
            return try content(0, released)
        }

        /// What is left of each choice's text, each choice's finish reason and log-probabilities, and the usage.
        mutating func finish(_ result: TaskResult) throws -> ByteBuffer {
            let (choices, usage) = try reply.choices(result)
            var buffer = ByteBuffer()
            for (index, choice) in choices.enumerated() {
                // The text not streamed yet: all of it for a choice decided at the end, else what the stream held back.
                let rest = index == 0 && choice.content.hasPrefix(sent) ? String(choice.content.dropFirst(sent.count))
                    : index == 0 && !sent.isEmpty ? "" : choice.content
                if !rest.isEmpty {
                    var event = try content(index, rest)
                    buffer.writeBuffer(&event)
                }
                var event = try chunk([.init(index: index, delta: .init(), logprobs: choice.logprobs, finishReason: choice.finishReason)])
                buffer.writeBuffer(&event)
            }
            if reply.request.includeUsage {
                var event = try chunk([], usage: usage)
                buffer.writeBuffer(&event)
            }
            return buffer
        }
    }
}
