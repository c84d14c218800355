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
