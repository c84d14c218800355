import Image2TextKernels

/// The CLIP vision transformer of GIT (docs/model.md, "Vision tower"): patch embedding, class token, position
/// embeddings, pre-LayerNorm, pre-LN encoder layers with bidirectional attention, and a post-LayerNorm over every token
/// (no pooling).
struct VisionTower: Sendable {
    /// One pre-LN encoder layer: `h += out(MHA(LN1(h)))`, `h += fc2(act(fc1(LN2(h))))`.
    struct Layer: Sendable {
        let layerNorm1, layerNorm2: LayerNorm
        let query, key, value, output: Linear
        let fc1, fc2: Linear
    }

    let config: GitVisionConfig
    let activation: Activation
    let classEmbedding: FloatTensor
    /// The convolution kernel `[hidden, channels, patch, patch]`, read as a `[hidden, channels·patch·patch]` matrix.
    let patchEmbedding: FloatTensor
    let positions: VisionPositionEmbeddings
    let preLayerNorm: LayerNorm
    let layers: [Layer]
    let postLayerNorm: LayerNorm
    let attention: Attention

    init(names: GitTensorNames, config: GitVisionConfig, parameters: ParameterReader) throws {
        self.config = config
        let epsilon = config.layerNormEps
        activation = Activation(rawValue: config.hiddenAct) ?? .quickGELU
        classEmbedding = try parameters.tensor(names.classEmbedding)
        patchEmbedding = try parameters.tensor(names.patchEmbedding)
        positions = VisionPositionEmbeddings(checkpointTable: try parameters.tensor(names.visionPositionEmbedding),
                                             side: config.patchesPerSide, width: config.hiddenSize)
        preLayerNorm = try parameters.layerNorm(names.preLayerNorm, epsilon: epsilon)
        layers = try names.visionLayers.map { layer in
            Layer(layerNorm1: try parameters.layerNorm(layer.layerNorm1, epsilon: epsilon),
                  layerNorm2: try parameters.layerNorm(layer.layerNorm2, epsilon: epsilon),
                  query: try parameters.linear(layer.query), key: try parameters.linear(layer.key),
                  value: try parameters.linear(layer.value), output: try parameters.linear(layer.output),
                  fc1: try parameters.linear(layer.fc1), fc2: try parameters.linear(layer.fc2))
        }
        postLayerNorm = try parameters.layerNorm(names.postLayerNorm, epsilon: epsilon)
        attention = Attention(heads: config.numAttentionHeads, headDimension: config.headDimension)
    }

    /// `[1 + rows·columns, hidden]` features of pixel values `[channels, height, width]` (checked by the caller: at
    /// least one patch each way), whose grid is `height / patch × width / patch` patches. A grid other than the
    /// checkpoint's uses interpolated position embeddings, as transformers with `interpolate_pos_encoding=True`.
    func callAsFunction(_ pixels: PixelValues) -> Matrix {
        var hidden = embed(pixels)
        preLayerNorm.apply(&hidden)
        var intermediate = Matrix(rows: 0, columns: 0)
        for layer in layers {
            layer.output.accumulate(selfAttention(layer.layerNorm1(hidden), layer: layer), into: &hidden)
            layer.fc1(layer.layerNorm2(hidden), activation: activation, into: &intermediate)
            layer.fc2.accumulate(intermediate, into: &hidden)
        }
        postLayerNorm.apply(&hidden)
        return hidden
    }

    /// Class token and patch embeddings (the stride-`patch` convolution as one matrix product over the patches in
    /// row-major grid order; like it, pixels past the last whole patch are not read), plus position embeddings.
    private func embed(_ pixels: PixelValues) -> Matrix {
        let (channels, patch, width) = (config.numChannels, config.patchSize, config.hiddenSize)
        let (height, imageWidth) = (pixels.height, pixels.width)
        let (rows, columns) = (height / patch, imageWidth / patch)
        let patchLength = channels * patch * patch
        var patches = Matrix(rows: rows * columns, columns: patchLength)
        for row in 0..<rows {
            for column in 0..<columns {
                let base = (row * columns + column) * patchLength
                for channel in 0..<channels {
                    for y in 0..<patch {
                        let source = (channel * height + row * patch + y) * imageWidth + column * patch
                        let target = base + (channel * patch + y) * patch
                        for x in 0..<patch { patches.values[target + x] = pixels.values[source + x] }
                    }
                }
            }
        }
        let tokens = rows * columns + 1
        var embeddings = Matrix(rows: tokens, columns: width)
        embeddings.values.withUnsafeMutableBufferPointer { output in
            patches.values.withUnsafeBufferPointer { input in
                let output = output.baseAddress!
                output.update(from: classEmbedding.pointer, count: width)
                LinearProduct.apply(weight: WeightMatrix(type: .float32, rows: width, columns: patchLength, values: patchEmbedding.pointer),
                                    bias: nil, input: input.baseAddress!, rows: rows * columns, output: output + width)
                positions.withTable(rows: rows, columns: columns) { RowKernels.add(output, $0, count: tokens * width) }
            }
        }
        return embeddings
    }

    private func selfAttention(_ x: Matrix, layer: Layer) -> Matrix {
        let projected = Linear.products([layer.query, layer.key, layer.value], of: x)
        return attention(queries: projected[0], blocks: [.init(keys: projected[1].values, values: projected[2].values)], visibility: .all)
    }
}
