import Foundation
import Image2TextKernels

/// How weight matrices are held in memory (`.float32`, `.float16`, `.bfloat16`, `.int8`), named here so that users of
/// the library need not import the kernels module.
public typealias WeightType = Image2TextKernels.WeightType

/// A GIT checkpoint ready to caption images and answer questions about them.
///
/// ```swift
/// let model = try GITModel(directory: URL(fileURLWithPath: "git-base"))
/// let image = try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "cat.jpg"))
/// print(try model.caption(image).text)
/// print(try model.answer("what color is the cat?", about: image).generatedText)
/// ```
///
/// The model is immutable after loading: one instance may serve many tasks at once.
public final class GITModel: Sendable {
    public let directory: URL
    public let configuration: GitConfig
    public let generationConfig: GenerationConfig
    public let tokenizer: BertTokenizer
    public let imageProcessor: CLIPImageProcessor
    /// The memory-mapped weights the model's tensors point into.
    public let weights: WeightStore
    let visionTower: VisionTower
    /// One `[vision hidden]` embedding per video frame (`num_image_with_embedding`); empty for image checkpoints.
    let temporalEmbeddings: [FloatTensor]
    let decoder: TextDecoder

    /// Loads a checkpoint folder in Hugging Face snapshot layout: `config.json`, `generation_config.json`
    /// (optional), `model.safetensors` (or shards), the tokenizer files and the image processor settings.
    ///
    /// Weight matrices (every linear layer and the word embeddings) are used as stored, memory-mapped and not copied,
    /// unless `weightType` asks for another type: then they are converted once, here. Reduced types trade a little
    /// accuracy for speed and memory (docs/precision.md). Other tensors (biases, LayerNorms, position
    /// embeddings) are small and always float32 (converted once if stored in F16 or BF16).
    ///
    /// `imageSize` runs the checkpoint at another resolution: the processor resizes the shortest edge to `imageSize`
    /// and centre-crops `imageSize × imageSize` (``ImageProcessorConfiguration/resized(toShortestEdge:crop:)``), and
    /// the vision tower interpolates its position embeddings to that patch grid, as transformers does with
    /// `interpolate_pos_encoding=True`. It must be one patch to ``GitVisionConfig/maximumPatchesPerSide`` patches
    /// (else ``ConfigurationError/invalidImageSize(_:reason:)``).
    public init(directory: URL, weightType: WeightType? = nil, imageSize: Int? = nil) throws {
        let folder = try CheckpointFolder(directory: directory)
        self.directory = directory
        configuration = folder.config
        generationConfig = folder.generationConfig
        weights = folder.weights
        tokenizer = try BertTokenizer(directory: directory)
        let processor = try ImageProcessorConfiguration.load(directory: directory)
        if let imageSize { try folder.config.visionConfig.validateImageSize(imageSize) }
        imageProcessor = CLIPImageProcessor(configuration: try imageSize.map { try processor.resized(toShortestEdge: $0) } ?? processor)
        let names = GitTensorNames(config: folder.config)
        let parameters = ParameterReader(store: folder.weights, weightType: weightType)
        visionTower = try VisionTower(names: names, config: folder.config.visionConfig, parameters: parameters)
        temporalEmbeddings = try names.temporalEmbeddings.map { try parameters.tensor($0) }
        decoder = try TextDecoder(names: names, config: folder.config, parameters: parameters)
    }

    /// The types the model's weight matrices are held in (one, unless the checkpoint mixes types and none was asked).
    public var weightTypes: Set<WeightType> {
        let linears = visionTower.layers.flatMap { [$0.query, $0.key, $0.value, $0.output, $0.fc1, $0.fc2] }
            + decodingStepLinears + [decoder.projection]
        return Set(linears.map(\.weight.matrix.type) + [decoder.wordEmbeddings.matrix.type])
    }

    /// Bytes of the weight matrices one decoding step reads: `package` for the stage benchmark, whose floor for a
    /// step is the time to stream them.
    package var decodingStepWeightBytes: Int { decodingStepLinears.reduce(0) { $0 + $1.weight.matrix.byteCount } }

    /// The linear layers one decoding step runs: every decoder layer's projections and feed-forward, and the LM head.
    private var decodingStepLinears: [Linear] {
        decoder.layers.flatMap { [$0.query, $0.key, $0.value, $0.attentionOutput, $0.intermediate, $0.output] } + [decoder.lmHead]
    }

    // MARK: Tasks

    /// Captions `image`: greedy generation from `[CLS]`.
    public func caption(_ image: RGBImage, options: GenerationOptions = .init()) throws -> GenerationResult {
        try caption(encode(image), options: options)
    }

    /// Captions an encoded image.
    public func caption(_ image: ImageContext, options: GenerationOptions = .init()) throws -> GenerationResult {
        try generate(promptIds: [promptStart], image: image, options: options)
    }

    /// Answers `question` about `image`: greedy generation from `[CLS]` + the question's ids (no `[SEP]`). The
    /// answer is the result's ``GenerationResult/generatedText``.
    public func answer(_ question: String, about image: RGBImage, options: GenerationOptions = .init()) throws -> GenerationResult {
        let prompt = try questionPrompt(question)
        return try generate(promptIds: prompt, image: encode(image), options: options)
    }

    /// Answers `question` about an encoded image (encode once, ask many questions).
    public func answer(_ question: String, about image: ImageContext, options: GenerationOptions = .init()) throws -> GenerationResult {
        try generate(promptIds: questionPrompt(question), image: image, options: options)
    }

    /// The prompt for a question: `[CLS]` followed by the question's ids without special tokens (docs/generation.md,
    /// "Prompts").
    public func questionPrompt(_ question: String) throws -> [Int] {
        let ids = tokenizer.encode(question, addSpecialTokens: false)
        guard !ids.isEmpty else { throw GenerationError.emptyQuestion }
        return [promptStart] + ids
    }

    /// Generation after `promptIds` (which must start with `[CLS]` for GIT's tasks), as transformers'
    /// `generate(pixel_values=…, input_ids=[promptIds], **options)`; returns the best sequence.
    public func generate(promptIds: [Int], image: ImageContext, options: GenerationOptions = .init()) throws -> GenerationResult {
        try generate([GenerationRequest(promptIds: promptIds, image: image)], options: options)[0][0]
    }

    /// Generates for several prompts and images in one batch: every decoding step runs all unfinished sequences through
    /// the decoder together. Returns, per request, its `numReturnSequences` sequences, best first; each equals what the
    /// request alone gives (transformers' left-padded batch with padding-aware positions, docs/model.md, "Batches and
    /// padding", computed without padding).
    public func generate(_ requests: [GenerationRequest], options: GenerationOptions = .init()) throws -> [[GenerationResult]] {
        let settings = try decodingSettings(options)
        var searches = try requests.map { try search(for: $0, settings: settings) }
        try DecodingLoop(decoder: decoder).run(&searches, images: requests.map(\.image))
        return try zip(requests, searches).map { request, search in
            try search.results.map { try result($0, prompt: request.promptIds) }
        }
    }

    /// A request for a caption of `image` or, with a question, an answer about it.
    public func request(question: String? = nil, image: ImageContext) throws -> GenerationRequest {
        GenerationRequest(promptIds: try prompt(question: question), image: image)
    }

    /// The prompt of a caption (`[CLS]`) or, with a question, of an answer.
    public func prompt(question: String?) throws -> [Int] {
        try question.map(questionPrompt) ?? [promptStart]
    }

    /// Throws what ``generate(_:options:)`` throws for `options` alone (merged with the checkpoint's generation config),
    /// without generating: lets a server refuse bad options before a request joins a batch.
    public func validate(_ options: GenerationOptions) throws {
        _ = try decodingSettings(options)
    }

    /// Throws when `options`, after a prompt of `promptLength` tokens, let a sequence grow past what the text position
    /// table holds. transformers fails only once a sequence gets there, so ``generate(_:options:)`` does too; a server
    /// refuses such a request up front instead of running a generation that can only end in that error or at the end
    /// of the table (as OpenAI-style servers refuse a request that overflows the context).
    public func checkLengthsFitPositionTable(_ options: GenerationOptions, promptLength: Int) throws {
        let positions = configuration.maxPositionEmbeddings
        let limits = try decodingSettings(options).limits(promptLength: promptLength, maxPositions: positions)
        // The last token of a sequence is never fed, so a sequence may be one token longer than the table.
        let longest = positions + 1
        guard limits.maxLength > longest else { return }
        let name = options.maxNewTokens != nil ? "max_new_tokens" : "max_length"
        let asked = name == "max_new_tokens" && limits.maxLength < .max
            ? "\(limits.maxLength - promptLength) new tokens" : "sequences of \(limits.maxLength) tokens"
        throw GenerationError.invalidOption(
            name, reason: "asks for \(asked), but the model's text position table (max_position_embeddings \(positions)) "
                + "holds at most \(longest - promptLength) new tokens after this \(promptLength)-token prompt")
    }

    /// What transformers 5.23 warns about for `options` (merged with the checkpoint's generation config) after a prompt
    /// of `promptLength` tokens: options that have no effect as given (``GenerationWarning``). Throws what
    /// ``generate(_:options:)`` throws for the options alone.
    public func warnings(_ options: GenerationOptions, promptLength: Int) throws -> [GenerationWarning] {
        let settings = try decodingSettings(options)
        let limits = try settings.limits(promptLength: promptLength, maxPositions: configuration.maxPositionEmbeddings)
        return GenerationWarning.warnings(given: options, resolved: settings.options, limits: limits)
    }

    /// `options` merged with the checkpoint's generation config and checked.
    func decodingSettings(_ options: GenerationOptions) throws -> DecodingSettings {
        try DecodingSettings(options: options, config: generationConfig, endOfSequence: endOfSequence,
                             vocabularySize: configuration.vocabSize)
    }

    /// The search that decodes `request` under `settings`, after checking the request.
    func search(for request: GenerationRequest, settings: DecodingSettings) throws -> any DecodingSearch {
        try check(request)
        let prompt = request.promptIds
        let limits = try settings.limits(promptLength: prompt.count, maxPositions: configuration.maxPositionEmbeddings)
        switch settings.strategy {
        case .greedy, .sample:
            let textStream = try request.onText.map { emit in
                guard settings.returnSequences == 1 else {
                    throw GenerationError.invalidOption("num_return_sequences", reason: "streaming decodes one sequence")
                }
                return TokenSearch.TextStream(decoder: TextDeltaDecoder(tokenizer: tokenizer), emit: emit)
            }
            return TokenSearch(prompt: prompt, limits: limits, settings: settings, textStream: textStream)
        case .beam where request.onText != nil:
            throw GenerationError.invalidOption("num_beams", reason: "streaming decodes one sequence; beam search cannot stream")
        case .beam(let beams, _) where settings.scoring == .paper:
            return PaperBeamSearch(prompt: prompt, beams: beams, limits: limits, settings: settings)
        case .beam(let beams, let sampled):
            return BeamSearch(prompt: prompt, beams: beams, sampled: sampled, limits: limits, settings: settings)
        }
    }

    /// Checks that the request's image was encoded by this model and that its prompt is made of vocabulary ids.
    func check(_ request: GenerationRequest) throws {
        let image = request.image
        guard image.keys.count == decoder.layers.count, image.keys.first?.count == image.tokenCount * decoder.hiddenSize else {
            throw GenerationError.foreignImageContext
        }
        let prompt = request.promptIds
        if prompt.isEmpty { throw GenerationError.invalidOption("input_ids", reason: "the prompt is empty") }
        if let bad = prompt.first(where: { !(0..<configuration.vocabSize).contains($0) }) {
            throw GenerationError.tokenOutOfVocabulary(id: bad, vocabularySize: configuration.vocabSize)
        }
    }

    func result(_ found: SearchResult, prompt: [Int]) throws -> GenerationResult {
        GenerationResult(
            ids: found.ids, promptIds: prompt, generatedCount: found.generatedCount,
            text: try tokenizer.decode(found.ids, skipSpecialTokens: true),
            generatedText: try tokenizer.decode(Array(found.ids[prompt.count..<prompt.count + found.generatedCount]), skipSpecialTokens: true),
            score: found.score, finishReason: found.finishReason)
    }

    /// The end-of-sequence ids: the generation config's, else config.json's.
    public var endOfSequence: [Int] { generationConfig.eosTokenIds ?? configuration.eosTokenIds }

    /// The first prompt token, `[CLS]` (`bos_token_id`; the generation config has it from config.json if it lacks it).
    var promptStart: Int { generationConfig.bosTokenId ?? configuration.bosTokenId }

    // MARK: Stages

    /// Preprocesses and encodes `image` for the decoder: pixel values, vision tower, visual projection, and the
    /// image tokens' keys and values in every decoder layer. Reuse the result for several prompts.
    public func encode(_ image: RGBImage) throws -> ImageContext {
        try encode(pixelValues: imageProcessor.preprocess(image))
    }

    /// How many frames a video checkpoint reads (`num_image_with_embedding`, 6 for git-base-vatex); nil for image
    /// checkpoints.
    public var videoFrameCount: Int? { temporalEmbeddings.isEmpty ? nil : temporalEmbeddings.count }

    /// Encodes the frames of a video (docs/model.md, "Video frames"): each frame is preprocessed and run through the
    /// vision tower, gets its frame's temporal embedding on every token, and the frames are concatenated along the
    /// tokens before the visual projection, as transformers does for `pixel_values` of shape `[1, frames, 3, H, W]`.
    /// Takes 1 to ``videoFrameCount`` frames; frame `i` gets temporal embedding `i`.
    public func encode(frames: [RGBImage]) throws -> ImageContext {
        try checkFrameCount(frames.count)
        return try encode(framePixelValues: frames.map(imageProcessor.preprocess))
    }

    /// Encodes `frames` frames of `video`, chosen by ``FrameSampling`` (default: ``videoFrameCount``).
    public func encode(video: VideoFile, frames: Int? = nil) throws -> ImageContext {
        let count = frames ?? videoFrameCount ?? 1
        try checkFrameCount(count)
        return try encode(frames: video.sampledFrames(count: count))
    }

    /// Encodes the pixel values of video frames, each `[channels, height, width]` as ``encode(pixelValues:)`` takes them.
    public func encode(framePixelValues: [PixelValues]) throws -> ImageContext {
        decoder.encode(imageTokens: decoder.project(try videoFeatures(framePixelValues)))
    }

    /// The vision features of every frame plus its temporal embedding, concatenated: `[frames · tokens, vision hidden]`.
    func videoFeatures(_ frames: [PixelValues]) throws -> Matrix {
        try checkFrameCount(frames.count)
        var concatenated: [Float] = []
        var rows = 0
        for (frame, temporal) in zip(frames, temporalEmbeddings) {
            var features = try visionFeatures(frame)
            features.values.withUnsafeMutableBufferPointer { values in
                RowKernels.add(row: temporal.pointer, to: values.baseAddress!, rows: features.rows, width: features.columns)
            }
            concatenated += features.values
            rows += features.rows
        }
        return Matrix(rows: rows, columns: configuration.visionConfig.hiddenSize, values: concatenated)
    }

    /// Throws unless this is a video checkpoint with at least `count` (≥ 1) temporal embeddings.
    func checkFrameCount(_ count: Int) throws {
        guard let supported = videoFrameCount else { throw GenerationError.notAVideoModel }
        guard (1...supported).contains(count) else { throw GenerationError.frameCount(count, supported: supported) }
    }

    /// Encodes pixel values `[channels, height, width]`. A size other than `vision_config.image_size` (each side at
    /// least `patch_size`; pixels past the last whole patch are ignored) interpolates the position embeddings, as
    /// transformers does with `interpolate_pos_encoding=True` (without it transformers refuses such sizes).
    public func encode(pixelValues: PixelValues) throws -> ImageContext {
        encode(imageTokens: try imageTokens(pixelValues))
    }

    /// The vision tower's output (`GitVisionModel` last hidden state), `[tokens, vision hidden]`.
    func visionFeatures(_ pixelValues: PixelValues) throws -> Matrix {
        let vision = configuration.visionConfig
        let shape = pixelValues.shape
        let (height, width) = shape.count == 3 ? (shape[1], shape[2]) : (vision.imageSize, vision.imageSize)
        let expected = [vision.numChannels, height, width]
        guard shape == expected, pixelValues.values.count == expected.reduce(1, *) else {
            throw GenerationError.pixelValuesShape(expected: expected, actual: shape)
        }
        guard height >= vision.patchSize, width >= vision.patchSize else {
            throw GenerationError.pixelValuesSmallerThanPatch(height: height, width: width, patchSize: vision.patchSize)
        }
        return visionTower(pixelValues)
    }

    /// The projected image tokens, the decoder's image input, `[tokens, hidden]`: the first half of
    /// ``encode(pixelValues:)``, `package` (as the second half, ``encode(imageTokens:)``) so that the stage benchmark
    /// can time the vision tower and the decoder's pass over the image apart.
    package func imageTokens(_ pixelValues: PixelValues) throws -> Matrix {
        decoder.project(try visionFeatures(pixelValues))
    }

    /// The image tokens' keys and values in every decoder layer.
    package func encode(imageTokens: Matrix) -> ImageContext {
        decoder.encode(imageTokens: imageTokens)
    }

    /// transformers' plain forward pass (`model(input_ids, pixel_values)`) without any cache: final hidden states and
    /// logits for every position, image tokens first.
    func forwardWithoutCache(pixelValues: PixelValues, inputIds: [Int]) throws -> (hidden: Matrix, logits: Matrix) {
        decoder.forwardWithoutCache(imageTokens: try imageTokens(pixelValues), tokens: inputIds)
    }
}
