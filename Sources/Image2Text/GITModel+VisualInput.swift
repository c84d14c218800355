extension GITModel {
    /// Encodes an image, or the frames of a video. An image given to a video checkpoint is encoded as transformers
    /// does for 4-D pixel values: one frame, no temporal embedding.
    public func encode(_ input: VisualInput) throws -> ImageContext {
        switch input {
        case .image(let image): try encode(image)
        case .frames(let frames): try encode(frames: frames)
        }
    }

    /// The image tokens the decoder reads for `input` (the visual part of its prompt): per frame, one per whole patch
    /// of the preprocessed image, plus the class token.
    public func imageTokenCount(_ input: VisualInput) -> Int {
        let frames: [RGBImage] = switch input {
        case .image(let image): [image]
        case .frames(let frames): frames
        }
        let patch = configuration.visionConfig.patchSize
        return frames.reduce(0) { total, frame in
            let size = imageProcessor.outputSize(height: frame.height, width: frame.width)
            return total + (size.height / patch) * (size.width / patch) + 1
        }
    }
}
