import Foundation

extension GITModel {
    /// Classifies `image` by generation: decoding constrained to the token trie of `labels` (as the original GIT
    /// repository's trie decoder), scoring every label exactly: each trie node is decoded once, so labels that share
    /// a first word share its computation. A label's score is log P(label tokens, [SEP] | image, prompt), where the
    /// prompt is `[CLS]` or `[CLS]` + `question`.
    ///
    /// - Throws: ``GenerationError/emptyLabelList``, ``GenerationError/labelWithoutTokens(_:)``,
    ///   ``GenerationError/emptyQuestion`` and the prompt and image errors of ``generate(_:options:)``.
    public func classify(_ image: ImageContext, labels: [String], question: String? = nil) throws -> Classification {
        guard !labels.isEmpty else { throw GenerationError.emptyLabelList }
        let labelIds = try labels.map { label in
            let ids = tokenizer.encode(label, addSpecialTokens: false)
            guard !ids.isEmpty else { throw GenerationError.labelWithoutTokens(label) }
            return ids
        }
        let request = try self.request(question: question, image: image)
        try check(request)
        // Room for the longest label and [SEP].
        let limits = try LengthLimits(options: GenerationOptions(maxNewTokens: labelIds.map(\.count).max()! + 1),
                                      promptLength: request.promptIds.count,
                                      maxPositions: configuration.maxPositionEmbeddings)
        var searches: [any DecodingSearch] = [
            LabelTrieSearch(prompt: request.promptIds, labels: labelIds, endOfSequence: endOfSequence[0], limits: limits)
        ]
        try DecodingLoop(decoder: decoder).run(&searches, images: [image])
        let scores = (searches[0] as! LabelTrieSearch).labelLogProbabilities
        let maximum = scores.max()!
        let total = scores.reduce(0) { $0 + exp($1 - maximum) }
        let ranked = labels.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return Classification(ranking: ranked.map {
            LabelScore(label: labels[$0], ids: labelIds[$0], logProbability: scores[$0], probability: exp(scores[$0] - maximum) / total)
        })
    }
}
