import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2Text
import Image2TextSupport

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
