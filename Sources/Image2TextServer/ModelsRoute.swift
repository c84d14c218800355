import Foundation
import Image2Text

/// `GET /v1/models`: OpenAI's model list, holding the one model the server loaded. Its `input_modalities` say what a
/// chat message may hold: text and an image, and video (several images as frames) for a video checkpoint.
struct ModelList: Encodable {
    let object = "list"
    let data: [Model]

    struct Model: Encodable {
        let id: String
        let object = "model"
        /// When the server loaded it (Unix seconds): OpenAI's field is the model's creation time.
        let created: Int
        let ownedBy = "image2text"
        let inputModalities: [String]
        let outputModalities = ["text"]

        enum CodingKeys: String, CodingKey {
            case id, object, created, ownedBy = "owned_by", inputModalities = "input_modalities", outputModalities = "output_modalities"
        }
    }

    init(model: GITModel, name: String, loaded: Int) {
        data = [Model(id: name, created: loaded, inputModalities: ["text", "image"] + (model.videoFrameCount != nil ? ["video"] : []))]
    }
}
