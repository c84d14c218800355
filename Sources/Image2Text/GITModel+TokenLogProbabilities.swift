extension GITModel {
    /// The log-probability of every generated token of each of `results` (sequences generated for `image`, as
    /// ``generate(_:options:)`` returns them) under the model's own distribution, with the `alternatives` most likely
    /// tokens at each position. The sequences are fed back through the decoder together, one step per token: this
    /// costs about what generating them did.
    public func tokenLogProbabilities(_ results: [GenerationResult], image: ImageContext, alternatives: Int = 0) throws
        -> [[TokenLogProbability]] {
        var searches: [any DecodingSearch] = try results.map { result in
            try check(GenerationRequest(promptIds: result.promptIds, image: image))
            return try TeacherForcedSearch(result, alternatives: max(0, alternatives), maxPositions: configuration.maxPositionEmbeddings)
        }
        try DecodingLoop(decoder: decoder).run(&searches, images: Array(repeating: image, count: searches.count))
        return searches.map { ($0 as! TeacherForcedSearch).tokens }
    }
}
