import Foundation
import Image2TextTestSupport
import Testing
@testable import Image2Text
import Image2TextSupport

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
        #expect(error("bad/not_a_video.mp4") == .notAVideo(source: source("bad/not_a_video.mp4")))
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
        // Neither an image nor a video, named like an image or not, as a file or as bytes: the image decoder's error,
        // not FFmpeg's (its still-image demuxer is not taken for a video).
        let text = Fixtures.image("bad/text.jpg")
        #expect(throws: ImageError.unknownFormat(source: text.path, leadingBytes: "54 68 69 73 20 69 73 20")) {
            try reader.read(.file(text), for: model)
        }
        #expect(throws: ImageError.unknownFormat(source: "upload", leadingBytes: "68 65 6c 6c 6f 2c 20 77")) {
            try reader.read(.bytes(Data("hello, world".utf8), name: "upload"), for: model)
        }
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
