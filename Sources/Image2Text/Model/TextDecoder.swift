import Image2TextKernels

/// GIT's text side (docs/model.md, "Visual projection" to "LM head"): the visual projection, word and position
/// embeddings, BERT-style post-LN decoder layers over [image tokens, text tokens] with GIT's attention mask, and the LM
/// head.
///
/// Generation runs in two parts that together equal transformers' single pass over the concatenated sequence:
/// ``encode(imageTokens:)`` runs the image tokens through the layers once (they see only each other) and keeps
/// their keys and values; ``logits(tokens:images:caches:)`` then feeds text tokens, which see every image token and the
/// text before them.
struct TextDecoder: Sendable {
    /// One post-LN layer: `a = LN(out(MHA(h)) + h)`, `h' = LN(W2·act(W1·a) + a)`.
    struct Layer: Sendable {
        let query, key, value: Linear
        let attentionOutput: Linear
        let attentionLayerNorm: LayerNorm
        let intermediate, output: Linear
        let outputLayerNorm: LayerNorm
    }

    let projection: Linear
    let projectionLayerNorm: LayerNorm
    let wordEmbeddings: StoredMatrix
    let positionEmbeddings: FloatTensor
    let embeddingLayerNorm: LayerNorm
    let layers: [Layer]
    let lmHead: Linear
    let activation: Activation
    let attention: Attention
    let hiddenSize: Int
    let maxPositions: Int

    init(names: GitTensorNames, config: GitConfig, parameters: ParameterReader) throws {
        let epsilon = config.layerNormEps
        projection = try parameters.linear(names.projection)
        // transformers' GitProjection takes the vision config's epsilon for its LayerNorm.
        projectionLayerNorm = try parameters.layerNorm(names.projectionLayerNorm, epsilon: config.visionConfig.layerNormEps)
        wordEmbeddings = try parameters.matrix(names.wordEmbeddings)
        positionEmbeddings = try parameters.tensor(names.textPositionEmbeddings)
        embeddingLayerNorm = try parameters.layerNorm(names.embeddingLayerNorm, epsilon: epsilon)
        layers = try names.decoderLayers.map { layer in
            Layer(query: try parameters.linear(layer.query), key: try parameters.linear(layer.key),
                  value: try parameters.linear(layer.value), attentionOutput: try parameters.linear(layer.attentionOutput),
                  attentionLayerNorm: try parameters.layerNorm(layer.attentionLayerNorm, epsilon: epsilon),
                  intermediate: try parameters.linear(layer.intermediate), output: try parameters.linear(layer.output),
                  outputLayerNorm: try parameters.layerNorm(layer.outputLayerNorm, epsilon: epsilon))
        }
        lmHead = try parameters.linear(names.lmHead)
        activation = Activation(rawValue: config.hiddenAct) ?? .gelu
        attention = Attention(heads: config.numAttentionHeads, headDimension: config.headDimension)
        hiddenSize = config.hiddenSize
        maxPositions = config.maxPositionEmbeddings
    }

    /// The visual projection (Linear + LayerNorm) of vision-tower features: the image tokens' decoder input.
    func project(_ visualFeatures: Matrix) -> Matrix {
        var tokens = projection(visualFeatures)
        projectionLayerNorm.apply(&tokens)
        return tokens
    }

    /// Runs the projected image tokens through every layer, keeping each layer's keys and values. The last layer's
    /// queries, attention, output projection and feed-forward are skipped for image tokens: nothing reads them.
    func encode(imageTokens: Matrix) -> ImageContext {
        var (hidden, intermediate) = (imageTokens, Matrix(rows: 0, columns: 0))
        var keys = [[Float]](), values = [[Float]]()
        for (index, layer) in layers.enumerated() {
            let isLast = index == layers.count - 1
            let projected = Linear.products(isLast ? [layer.key, layer.value] : [layer.key, layer.value, layer.query], of: hidden)
            keys.append(projected[0].values)
            values.append(projected[1].values)
            if isLast { break }
            let context = attention(queries: projected[2], blocks: [.init(keys: projected[0].values, values: projected[1].values)],
                                    visibility: .all)
            hidden = feedForward(layer: layer, context: context, residual: hidden, intermediate: &intermediate)
        }
        return ImageContext(tokenCount: imageTokens.rows, keys: keys, values: values)
    }

    /// One decoding step for several sequences at once: feeds `tokens[s]` to sequence `s` (at its text positions
    /// `caches[s].count ...`, after the image `images[s]`), appends their keys and values to `caches[s]`, and returns
    /// the last fed position's hidden state and next-token logits of every sequence (row `s` each).
    ///
    /// The sequences' tokens are packed into one matrix for the projections and the feed-forward (no padding);
    /// attention runs per sequence over its own image and text keys, so each row equals what the sequence alone
    /// would give.
    func logits(tokens: [[Int]], images: [ImageContext], caches: inout [TextCache]) -> (hidden: Matrix, logits: Matrix) {
        precondition(tokens.count == caches.count && images.count == caches.count && tokens.allSatisfy { !$0.isEmpty })
        let starts = tokens.indices.map { caches[$0].count }
        let packedRanges = tokens.reduce(into: [Range<Int>]()) { ranges, sequence in
            let start = ranges.last?.upperBound ?? 0
            ranges.append(start..<start + sequence.count)
        }
        var hidden = embed(tokens.joined().map { $0 },
                           positions: tokens.indices.flatMap { sequence in (0..<tokens[sequence].count).map { starts[sequence] + $0 } })
        var intermediate = Matrix(rows: 0, columns: 0)
        for (index, layer) in layers.enumerated() {
            // The last layer's output is read only at each sequence's last token: there the other tokens need just
            // their keys and values.
            let isLast = index == layers.count - 1
            let queried = isLast ? packedRanges.map { $0.upperBound - 1..<$0.upperBound } : packedRanges
            let projected = Linear.products(isLast ? [layer.key, layer.value] : [layer.key, layer.value, layer.query], of: hidden)
            let residual = isLast ? hidden.rows(queried) : hidden
            let queries = isLast ? layer.query(residual) : projected[2]
            var context = [Float]()
            context.reserveCapacity(residual.values.count)
            var queryRow = 0
            for (sequence, rows) in packedRanges.enumerated() {
                caches[sequence].append(layer: index, keys: projected[0].rows(rows), values: projected[1].rows(rows))
                let (image, queriedRows) = (images[sequence], queried[sequence])
                context += attention(
                    queries: queries.rows(queryRow..<queryRow + queriedRows.count),
                    blocks: [.init(keys: image.keys[index], values: image.values[index]),
                             .init(keys: caches[sequence].keys[index], values: caches[sequence].values[index])],
                    visibility: .causalInLastBlock(offset: starts[sequence] + queriedRows.lowerBound - rows.lowerBound)).values
                queryRow += queriedRows.count
            }
            hidden = feedForward(layer: layer, context: Matrix(rows: residual.rows, columns: hiddenSize, values: context), residual: residual,
                                 intermediate: &intermediate)
        }
        for (sequence, rows) in packedRanges.enumerated() { caches[sequence].advance(by: rows.count) }
        return (hidden, lmHead(hidden))
    }

    /// transformers' plain forward pass without a cache: the whole sequence [image tokens, text tokens] at once with
    /// the explicit additive mask of docs/model.md, "Attention mask". Returns the final hidden states and the logits of
    /// every position. A reference for the cached path, and the full-logits API.
    func forwardWithoutCache(imageTokens: Matrix, tokens: [Int]) -> (hidden: Matrix, logits: Matrix) {
        let (imageCount, textCount) = (imageTokens.rows, tokens.count)
        let total = imageCount + textCount
        let blocked = -Float.greatestFiniteMagnitude  // torch.finfo(float32).min, what 5.23 uses
        var mask = [Float](repeating: 0, count: total * total)
        for query in 0..<total {
            for key in 0..<total {
                let visible = key < imageCount ? true : (query >= imageCount && key <= query)
                if !visible { mask[query * total + key] = blocked }
            }
        }
        var hidden = imageTokens.appendingRows(of: embed(tokens, positions: Array(tokens.indices)))
        var intermediate = Matrix(rows: 0, columns: 0)
        for layer in layers {
            let projected = Linear.products([layer.query, layer.key, layer.value], of: hidden)
            let context = attention(queries: projected[0], blocks: [.init(keys: projected[1].values, values: projected[2].values)],
                                    visibility: .additiveMask(mask))
            hidden = feedForward(layer: layer, context: context, residual: hidden, intermediate: &intermediate)
        }
        return (hidden, lmHead(hidden))
    }

    /// `LayerNorm(word[token] + position[position])` for each token.
    private func embed(_ tokens: [Int], positions: [Int]) -> Matrix {
        var embeddings = Matrix(rows: tokens.count, columns: hiddenSize)
        embeddings.values.withUnsafeMutableBufferPointer { buffer in
            for (row, token) in tokens.enumerated() {
                let target = buffer.baseAddress! + row * hiddenSize
                wordEmbeddings.matrix.widen(rows: token..<token + 1, into: target)
                RowKernels.add(target, positionEmbeddings.pointer + positions[row] * hiddenSize, count: hiddenSize)
            }
        }
        embeddingLayerNorm.apply(&embeddings)
        return embeddings
    }

    /// The rest of a layer after attention: output projection, residual, LayerNorm, feed-forward (its intermediate in
    /// `intermediate`, reused from layer to layer), residual, LayerNorm.
    private func feedForward(layer: Layer, context: Matrix, residual: Matrix, intermediate: inout Matrix) -> Matrix {
        var attended = layer.attentionOutput(context)
        layer.attentionLayerNorm.apply(&attended, residual: residual)
        layer.intermediate(attended, activation: activation, into: &intermediate)
        var output = layer.output(intermediate)
        layer.outputLayerNorm.apply(&output, residual: attended)
        return output
    }
}
