import Foundation
import Image2TextTestSupport
import Testing

/// Video input through the CLI, with a video checkpoint made from the demo model.
@Suite struct CLIVideoTests {
    let cli = CLITests()

    @Test("a video file is detected by content; --frames, --video-frames, inspect; bad videos and wrong models are per-input errors")
    func videoInput() throws {
        let model = try DemoVideoCheckpoint.make()
        defer { try? FileManager.default.removeItem(at: model) }
        let video = "Fixtures/video/pan_h264.mp4"
        let caption = try cli.run(["caption", "--model", model.path, video])
        #expect(caption.status == 0 && !caption.stdout.isEmpty && caption.stdout.split(separator: "\n").count == 1, "\(caption.stderr)")
        let json = try cli.run(["caption", "--model", model.path, "--json", video, "Fixtures/video/pan_vp9.webm", "Fixtures/easyvqa/0.png"])
        #expect(json.status == 0, "\(json.stderr)")
        let inputs = json.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["input"] as? String
        }
        #expect(inputs == [video, "Fixtures/video/pan_vp9.webm", "Fixtures/easyvqa/0.png"])
        #expect(try cli.run(["caption", "--model", model.path, "--frames", "3", video]).status == 0)
        #expect(try cli.run(["ask", "--model", model.path, video, "what shape is in the image?"]).status == 0)
        #expect(try cli.run(["classify", "--model", model.path, "--labels", "circle,triangle", video]).status == 0)

        let frames = (0..<6).map { "Fixtures/easyvqa/\($0 * 5).png" }
        let fromFrames = try cli.run(["caption", "--model", model.path, "--video-frames"] + frames)
        #expect(fromFrames.status == 0 && fromFrames.stdout.hasPrefix(frames.joined(separator: " ")) == false, "\(fromFrames.stderr)")

        let inspect = try cli.run(["inspect", model.path])
        #expect(inspect.stdout.contains("frames: 6 (video)") && inspect.stdout.contains("image_tokens: 390"), "\(inspect.stdout.prefix(2000))")

        let failures: [([String], String)] = [
            (["caption", "--model", model.path, "Fixtures/video/bad/three_frames.mp4"],
             "Error: Fixtures/video/bad/three_frames.mp4: the video has 3 frames; the model takes 6 distinct frames"),
            (["caption", "--model", model.path, "Fixtures/video/bad/audio_only.wav"], "Error: Fixtures/video/bad/audio_only.wav: the file has no video stream"),
            (["caption", "--model", model.path, "Fixtures/video/bad/corrupt.mp4"], "Error: Fixtures/video/bad/corrupt.mp4: corrupt video data"),
            (["caption", "--model", model.path, "Fixtures/video/bad/truncated_index.mp4"], "Error: Fixtures/video/bad/truncated_index.mp4: not a readable image or video"),
            (["caption", "--model", model.path, "--frames", "7", video], "Error: \(video): frames: 7 frames requested; this checkpoint has temporal embeddings for 1 to 6"),
            (["caption", "--model", model.path, "--video-frames"] + frames.prefix(5), "5 frame images given; the model takes 6"),
            (["caption", video], "Error: \(video): frames: this checkpoint reads single images"),
        ]
        for (arguments, message) in failures {
            let result = try cli.run(arguments)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(arguments): \(result.stdout)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try cli.run(["caption", "--frames", "0", video]).status == 64)
    }
}
