/// Greedy decoding as transformers 5.23's `_sample` with `do_sample=False` for one sequence (spec §5.3): the prompt
/// is fed once, then one token per step at the next text position, reading the cached image and text keys; the
/// next token is the first arg-max of the last position's logits.
struct GreedySearch {
    let decoder: TextDecoder
    let endOfSequence: Set<Int>

    func run(prompt: [Int], image: ImageContext, limits: LengthLimits) -> (ids: [Int], finishReason: GenerationResult.FinishReason) {
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
