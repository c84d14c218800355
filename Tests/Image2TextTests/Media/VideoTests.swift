import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2Text
import Image2TextSupport

/// `Fixtures/goldens/video.json` (`tools/reference/make_video_goldens.py`): PyAV's frames of the committed videos, and
/// transformers 5.23 on a git-base-vatex-shaped PRNG checkpoint fed frames of `pan_h264.mp4`.
struct VideoGolden: Decodable, Sendable {
    struct Video: Decodable, Sendable {
        let file: String
        let declared_frames: Int?
        let decoded_frames: Int?
        let codec: String?
        let width: Int?
        let height: Int?
        let frame_rgb24_sha256: [String]?
        /// What PyAV raised, for the broken files.
        let pyav: String?
    }

    struct Case: Decodable, Sendable {
        let video: String
        let frames: Int
        let frame_indices: [Int]
        let pixel_values_shape: [Int]
        let frame_pixel_values_sha256: [String]
        let vision_last_hidden_state: ModelGolden.Activations
        let visual_projection: ModelGolden.Activations
        let prompts: [String: ModelGolden.Prompt]
    }

    let videos: [String: Video]
    let cases: [Case]

    static let shared = Result {
        try JSONDecoder().decode(VideoGolden.self, from: Data(contentsOf: Fixtures.golden("video.json")))
    }

    static func video(_ name: String) -> URL { Fixtures.root.appendingPathComponent("video/\(name)") }
}

@Suite("Video decoding and frame sampling")
struct VideoDecodingTests {
    @Test("frame sampling: the VATEX example's linspace rule over the whole video")
    func sampling() {
        #expect(FrameSampling.indices(frameCount: 50, count: 6) == [0, 10, 20, 30, 40, 49])
        #expect(FrameSampling.indices(frameCount: 50, count: 3) == [0, 25, 49])
        #expect(FrameSampling.indices(frameCount: 6, count: 6) == [0, 1, 2, 3, 4, 5])
        #expect(FrameSampling.indices(frameCount: 7, count: 1) == [0])
        #expect(FrameSampling.indices(frameCount: 5, count: 6) == nil)
        #expect(FrameSampling.indices(frameCount: 5, count: 0) == nil)
        for frameCount in 1...300 {
            for count in 1...min(frameCount, 12) {
                let indices = FrameSampling.indices(frameCount: frameCount, count: count)!
                #expect(indices.count == count && indices.first == 0 && indices.last! < frameCount)
                #expect(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 }, "distinct, ascending")
            }
        }
    }

    @Test("every frame equals PyAV's to_ndarray(rgb24)", arguments: ["pan_h264.mp4", "pan_vp9.webm", "pan_mjpeg.avi"])
    func framesMatchPyAV(name: String) throws {
        let golden = try #require(try VideoGolden.shared.get().videos[name])
        let video = try VideoFile(contentsOf: VideoGolden.video(name))
        let expected = try #require(golden.frame_rgb24_sha256)
        #expect(video.width == golden.width && video.height == golden.height && video.codec == golden.codec)
        // PyAV's stream.frames is 0 when the container declares no count (WebM); we then count packets.
        #expect(video.frameCount == (golden.declared_frames! > 0 ? golden.declared_frames! : golden.decoded_frames!))
        let frames = try video.frames(at: Array(0..<expected.count))
        let digests = frames.map { $0.pixels.withUnsafeBytes { SHA256.hexDigest($0) } }
        let differing = zip(digests, expected).enumerated().filter { $1.0 != $1.1 }.map(\.offset)
        #expect(differing.isEmpty, "\(name): frames \(differing) differ from PyAV's")
    }

    @Test("broken and unsuitable files give typed errors naming the file")
    func badVideos() throws {
        func error(_ name: String, frames: Int = 6) -> VideoError? {
            do {
                _ = try VideoFile(contentsOf: VideoGolden.video(name)).sampledFrames(count: frames)
                return nil
            } catch let error as VideoError {
                #expect(error.description.hasPrefix(VideoGolden.video(name).path), "\(error)")
                return error
            } catch {
                Issue.record("\(name): \(error) is not a VideoError")
                return nil
            }
        }
        let source = { (name: String) in VideoGolden.video(name).path }
        #expect(error("bad/three_frames.mp4") == .tooFewFrames(source: source("bad/three_frames.mp4"), found: 3, needed: 6))
        #expect(error("bad/three_frames.mp4", frames: 3) == nil)
        #expect(error("bad/audio_only.wav") == .noVideoStream(source: source("bad/audio_only.wav")))
        #expect(error("missing.mp4") == .fileNotFound(source: source("missing.mp4")))
        if case .unreadableFile = error("bad/not_a_video.mp4") {} else { Issue.record("not_a_video.mp4") }
        if case .unreadableFile = error("bad/truncated_index.mp4") {} else { Issue.record("truncated_index.mp4") }
        if case .corruptData = error("bad/corrupt.mp4") {} else { Issue.record("corrupt.mp4") }
        switch error("bad/truncated_data.mp4") {
        case .corruptData?, .truncated?: break
        default: Issue.record("truncated_data.mp4")
        }
        // PyAV (transformers' example) fails on every one of them too.
        let golden = try VideoGolden.shared.get()
        for name in ["bad/audio_only.wav", "bad/corrupt.mp4", "bad/not_a_video.mp4", "bad/truncated_data.mp4", "bad/truncated_index.mp4"] {
            #expect(golden.videos[name]?.pyav != nil, "\(name)")
        }
    }

    @Test("VisualReader tells images from videos by content, not by name, and reads video bytes as a file's")
    func visualReader() throws {
        let model = try VideoModelParityTests.model.get()
        let reader = VisualReader()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let videoNamedPNG = directory.appendingPathComponent("clip.png")
        try FileManager.default.copyItem(at: VideoGolden.video("pan_h264.mp4"), to: videoNamedPNG)
        guard case .frames(let frames) = try reader.read(.file(videoNamedPNG), for: model) else {
            throw VideoError.noVideoStream(source: "clip.png")
        }
        #expect(frames == (try VideoFile(contentsOf: videoNamedPNG).sampledFrames(count: model.videoFrameCount!)))
        // The same video as bytes gives the same frames; its errors name the bytes, not the temporary file.
        guard case .frames(let uploaded) = try reader.read(.bytes(Data(contentsOf: videoNamedPNG), name: "upload"), for: model) else {
            throw VideoError.noVideoStream(source: "upload")
        }
        #expect(uploaded == frames)
        let truncated = try Data(contentsOf: VideoGolden.video("bad/truncated_data.mp4"))
        #expect { try reader.read(.bytes(truncated, name: "upload"), for: model) } throws: { error in
            (error as? VideoError)?.source == "upload"
        }
        let imageNamedMP4 = directory.appendingPathComponent("photo.mp4")
        try FileManager.default.copyItem(at: Fixtures.image("chelsea.png"), to: imageNamedMP4)
        guard case .image(let image) = try reader.read(.file(imageNamedMP4), for: model) else { throw ImageError.emptyFile(source: "photo.mp4") }
        #expect(image == (try ImageDecoder.decode(contentsOf: Fixtures.image("chelsea.png"))))
        // Text named like an image: FFmpeg's still-image demuxer is not taken for a video.
        let text = Fixtures.image("bad/text.jpg")
        #expect(throws: VideoError.self) { try reader.read(.file(text), for: model) }
        #expect(throws: ImageError.emptyFile(source: Fixtures.image("bad/empty.jpg").path)) {
            try reader.read(.file(Fixtures.image("bad/empty.jpg")), for: model)
        }
    }

    @Test("frames past the end are a typed error, not a crash")
    func framesPastTheEnd() throws {
        let video = try VideoFile(contentsOf: VideoGolden.video("bad/three_frames.mp4"))
        #expect(throws: VideoError.frameIndexOutOfRange(source: video.url.path, index: 10, frameCount: 3)) {
            try video.frames(at: [0, 10])
        }
    }
}

/// A git-base-vatex-shaped PRNG checkpoint (the full-size git-base tensors plus 6 temporal embeddings stored with the
/// `temperal` spelling, in a sharded hub snapshot with a VideoMAE processor) against transformers 5.23.
@Suite(.serialized) struct VideoModelParityTests {
    static let model = Result { try GITModel(directory: VideoCheckpoint.folder()) }

    @Test("the checkpoint reads 6 frames with the VideoMAE processor")
    func configuration() throws {
        let model = try Self.model.get()
        #expect(model.videoFrameCount == 6)
        #expect(model.imageProcessor.configuration.resample == .bilinear)
        #expect(model.imageProcessor.configuration.imageMean == [0.5, 0.5, 0.5])
        #expect(model.weights.ignoredNames.isEmpty)
    }

    @Test("transformers parity: frames of a real video, temporal embeddings, logits and greedy ids", arguments: 0..<2)
    func parity(caseIndex: Int) throws {
        let golden = try VideoGolden.shared.get().cases[caseIndex]
        let model = try Self.model.get()
        let label = "\(golden.video) × \(golden.frames)"
        let video = try VideoFile(contentsOf: Repository.root.appendingPathComponent(golden.video))
        #expect(FrameSampling.indices(frameCount: video.frameCount, count: golden.frames) == golden.frame_indices)
        let pixels = try video.sampledFrames(count: golden.frames).map(model.imageProcessor.preprocess)
        #expect(pixels.map(\.sha256) == golden.frame_pixel_values_sha256, "\(label): pixel values")

        let features = try model.videoFeatures(pixels)
        ModelParity.compare(features, golden.vision_last_hidden_state, "\(label): vision tower + temporal embeddings")
        let imageTokens = model.decoder.project(features)
        ModelParity.compare(imageTokens, golden.visual_projection, "\(label): visual projection")
        let context = try model.encode(video: video, frames: golden.frames)
        #expect(context.tokenCount == golden.frames * 197)
        try ModelParity.checkPrompts(golden.prompts, image: context, model: model, label: label)
    }

    @Test("frame counts outside 1…num_image_with_embedding, and frames for an image checkpoint, are typed errors")
    func frameCountErrors() throws {
        let model = try Self.model.get()
        let frame = try ImageDecoder.decode(contentsOf: Fixtures.image("chelsea.png"))
        #expect(throws: GenerationError.frameCount(7, supported: 6)) { try model.encode(frames: Array(repeating: frame, count: 7)) }
        #expect(throws: GenerationError.frameCount(0, supported: 6)) { try model.encode(frames: []) }
        let imageModel = try GITModel(directory: Fixtures.tinyModel)
        #expect(throws: GenerationError.notAVideoModel) { try imageModel.encode(frames: [frame]) }
        // A single image to a video checkpoint is transformers' 4-D input: no temporal embedding, 197 tokens.
        #expect(try model.encode(frame).tokenCount == 197)
    }
}

/// The video checkpoint folder: the shared PRNG checkpoint's weights as shard 1 (a symbolic link), the temporal
/// embeddings as shard 2 under the `git.img_temperal_embedding.K` names Hugging Face's conversion wrote (values
/// seeded by the transformers names), an index, and the small files of `Fixtures/prng-checkpoint-vatex/`.
enum VideoCheckpoint {
    static let smallFiles = Fixtures.root.appendingPathComponent("prng-checkpoint-vatex")

    private static let shared: Result<URL, any Error> = Result {
        let directory = try Fixtures.temporaryDirectory()
        let files = FileManager.default
        for name in ["config.json", "generation_config.json", "preprocessor_config.json", "tokenizer_config.json"] {
            try files.copyItem(at: smallFiles.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try files.copyItem(at: Fixtures.vocabulary, to: directory.appendingPathComponent("vocab.txt"))
        let config = try GitConfig.load(from: directory.appendingPathComponent("config.json"))
        let (baseShard, temporalShard) = ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors")
        try files.createSymbolicLink(at: directory.appendingPathComponent(baseShard),
                                     withDestinationURL: PRNGCheckpoint.folder().appendingPathComponent("model.safetensors"))
        let names = GitTensorNames(config: config)
        let temporal = names.temporalEmbeddings.map { tensor in
            let values = PRNGCheckpoint.values(name: tensor.name, shape: tensor.shape)
            return TensorData(name: tensor.name.replacingOccurrences(of: "temporal", with: "temperal"), dtype: .float32,
                              shape: tensor.shape, bytes: values.withUnsafeBytes { Data($0) })
        }
        try SafetensorsFile.write(temporal, to: directory.appendingPathComponent(temporalShard))
        var weightMap = [String: String]()
        for tensor in names.expected where !names.temporalEmbeddings.contains(where: { $0.name == tensor.name }) {
            weightMap[tensor.name] = baseShard
        }
        for tensor in temporal { weightMap[tensor.name] = temporalShard }
        let index = try JSONSerialization.data(withJSONObject: ["metadata": [:], "weight_map": weightMap], options: [.sortedKeys])
        try index.write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        atexit {
            if case .success(let url) = VideoCheckpoint.shared { try? FileManager.default.removeItem(at: url) }
        }
        return directory
    }

    static func folder() throws -> URL { try shared.get() }
}
