/// One finished sequence of a search.
struct SearchResult: Equatable {
    /// Prompt included; for beam search padded as transformers pads it (see ``DecodingSettings/beamFill``).
    let ids: [Int]
    /// The number of ids after the prompt that were generated (the rest of `ids` is padding).
    let generatedCount: Int
    let score: Float
    let finishReason: GenerationResult.FinishReason
}

/// A decoding strategy for one prompt, stepped by ``DecodingLoop``. Each step feeds some rows (sequences) one or
/// more tokens; the search then sees each row's next-token logits and says which rows continue.
protocol DecodingSearch {
    var limits: LengthLimits { get }
    /// The tokens each row feeds in the next step; empty when the search has finished.
    var nextTokens: [[Int]] { get }
    /// Consumes the logits of the rows fed (`nextTokens.count` rows) and returns, for every row of the next step,
    /// the index of the fed row whose keys and values it continues.
    mutating func advance(logits: Matrix) throws -> [Int]
    /// The finished sequences, best first.
    var results: [SearchResult] { get }
}

/// Runs several searches together: every step packs the rows of all unfinished searches into one decoder call
/// (so a batch costs one pass over the weights per step, and no padding), each row reading its own image block
/// and its own text cache. The rows of one search share its image block; a beam's text cache is copied only when
/// two beams continue the same parent.
struct DecodingLoop {
    let decoder: TextDecoder

    func run(_ searches: inout [any DecodingSearch], images: [ImageContext]) throws {
        precondition(searches.count == images.count)
        var caches = searches.map { search in
            [TextCache(layers: decoder.layers.count, width: decoder.hiddenSize, capacity: search.limits.cacheCapacity)]
        }
        while true {
            let pending = searches.map(\.nextTokens)
            let live = searches.indices.filter { !pending[$0].isEmpty }
            if live.isEmpty { return }
            var tokens = [[Int]](), rowImages = [ImageContext](), rowCaches = [TextCache]()
            for index in live {
                let rows = pending[index]
                precondition(rows.count == caches[index].count, "a search must feed one row per cache")
                for (row, cache) in zip(rows, caches[index]) where cache.count + row.count > decoder.maxPositions {
                    throw searches[index].limits.exceedsPositionTable
                }
                tokens += rows
                rowImages += Array(repeating: images[index], count: rows.count)
                rowCaches += caches[index]
                caches[index] = []  // the only reference, so the caches grow in place
            }
            let logits = decoder.logits(tokens: tokens, images: rowImages, caches: &rowCaches).logits
            var offset = 0
            for index in live {
                let fed = offset..<offset + pending[index].count
                let parents = try searches[index].advance(logits: logits.rows(fed))
                caches[index] = parents.map { rowCaches[fed.lowerBound + $0] }
                offset = fed.upperBound
            }
        }
    }
}
