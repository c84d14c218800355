extension ImageProcessorConfiguration {
    /// These settings for another image size: resize the shortest edge to `edge` pixels (aspect ratio kept) and
    /// centre-crop `crop` (`edge × edge` if nil), as the processors of GIT's 480-pixel VQA checkpoints do
    /// (git-base-vqav2: `size {"shortest_edge": 480}`, `crop_size 480`). Resampling, rescaling and normalisation stay.
    ///
    /// A size other than the checkpoint's `vision_config.image_size` makes the vision tower interpolate its position
    /// embeddings, as transformers does with `interpolate_pos_encoding=True`.
    ///
    /// Every size must be between 1 and ``maximumSide``, else ``ConfigurationError/invalidImageSize(_:reason:)``.
    public func resized(toShortestEdge edge: Int, crop: Size? = nil) throws -> ImageProcessorConfiguration {
        for side in [edge, crop?.height, crop?.width].compactMap({ $0 }) where !(1...Self.maximumSide).contains(side) {
            throw ConfigurationError.invalidImageSize(side, reason: "sizes must be between 1 and \(Self.maximumSide) pixels")
        }
        var resized = self
        resized.doResize = true
        resized.size = .shortestEdge(edge)
        resized.doCenterCrop = true
        resized.cropSize = crop ?? Size(height: edge, width: edge)
        return resized
    }
}
