import Image2Text

/// The floating-point work of the stages the benchmark sets against the sgemm rate (multiply-adds count two).
extension GitConfig {
    /// The vision tower and the projection for one image of the checkpoint's own size.
    var visionFLOPs: Int {
        let vision = visionConfig
        let (tokens, width, inner) = (vision.tokensPerImage, vision.hiddenSize, vision.intermediateSize)
        let patches = 2 * (tokens - 1) * vision.numChannels * vision.patchSize * vision.patchSize * width
        let layer = 2 * tokens * (4 * width * width + 2 * width * inner) + 2 * 2 * tokens * tokens * width
        return patches + vision.numHiddenLayers * layer + 2 * tokens * width * hiddenSize
    }

    /// The decoder's pass over `tokens` image tokens (``GITModel/encode(imageTokens:)``): every layer's products and
    /// attention, but the last layer's keys and values only.
    func decoderPrefillFLOPs(imageTokens tokens: Int) -> Int {
        let layer = 2 * tokens * (4 * hiddenSize * hiddenSize + 2 * hiddenSize * intermediateSize) + 2 * 2 * tokens * tokens * hiddenSize
        return (numHiddenLayers - 1) * layer + 2 * tokens * 2 * hiddenSize * hiddenSize
    }
}
