extension GITModel {
    /// Encodes an image, or the frames of a video. An image given to a video checkpoint is encoded as transformers
    /// does for 4-D pixel values: one frame, no temporal embedding.
    public func encode(_ input: VisualInput) throws -> ImageContext {
        switch input {
        case .image(let image): try encode(image)
        case .frames(let frames): try encode(frames: frames)
        }
    }
}
