/// Greedy decoding as transformers 5.23's `_sample` with `do_sample=False` for one sequence (spec §5.3): the prompt
/// is fed once, then one token per step at the next text position, reading the cached image and text keys; the
/// next token is the first arg-max of the last position's logits.
struct GreedySearch {
    let decoder: TextDecoder
    let endOfSequence: Set<Int>

    /// - Throws: ``GenerationError/exceedsPositionTable(maxLength:promptLength:positionLimit:)`` when the sequence
    ///   would need a text position beyond the table before reaching its end (transformers fails there with an
    ///   `IndexError`; stopping earlier at [SEP] is fine in both).
    func run(prompt: [Int], image: ImageContext, limits: LengthLimits) throws -> (ids: [Int], finishReason: GenerationResult.FinishReason) {
        var cache = TextCache(layers: decoder.layers.count, width: decoder.hiddenSize, capacity: limits.maxLength)
        var ids = prompt
        var logits = decoder.logits(tokens: prompt, cache: &cache, image: image).logits
        while true {
            // MinLengthLogitsProcessor: no end of sequence before min_length.
            if ids.count < limits.minLength {
                for token in endOfSequence { logits[token] = -.infinity }
            }
            let next = Self.argmax(logits)
            ids.append(next)
            if endOfSequence.contains(next) { return (ids, .endOfSequence) }
            if ids.count >= limits.maxLength { return (ids, .maxLength) }
            // The new token goes in at text position ids.count - 1.
            guard ids.count <= decoder.maxPositions else {
                throw GenerationError.exceedsPositionTable(maxLength: limits.maxLength, promptLength: prompt.count, positionLimit: decoder.maxPositions)
            }
            logits = decoder.logits(tokens: [next], cache: &cache, image: image).logits
        }
    }

    /// The index of the largest value, the first one on ties (`torch.argmax`).
    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return best
    }
}
