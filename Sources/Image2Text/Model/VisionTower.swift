import Image2TextKernels

/// The CLIP vision transformer of GIT (spec §3.1): patch embedding, class token, position embeddings, pre-LayerNorm,
/// pre-LN encoder layers with bidirectional attention, and a post-LayerNorm over every token (no pooling).
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
    let positionEmbedding: FloatTensor
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
        positionEmbedding = try parameters.tensor(names.visionPositionEmbedding)
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

    /// `[tokensPerImage, hidden]` features of pixel values `[channels, imageSize, imageSize]` (checked by the caller).
    func callAsFunction(_ pixels: PixelValues) -> Matrix {
        var hidden = embed(pixels)
        preLayerNorm.apply(&hidden)
        for layer in layers {
            var normed = hidden
            layer.layerNorm1.apply(&normed)
            let context = selfAttention(normed, layer: layer)
            add(layer.output(context), to: &hidden)
            normed = hidden
            layer.layerNorm2.apply(&normed)
            var intermediate = layer.fc1(normed)
            activation.apply(&intermediate)
            add(layer.fc2(intermediate), to: &hidden)
        }
        postLayerNorm.apply(&hidden)
        return hidden
    }

    /// Class token and patch embeddings (the stride-`patch` convolution as one matrix product over the patches in
    /// row-major grid order), plus position embeddings.
    private func embed(_ pixels: PixelValues) -> Matrix {
        let (channels, patch, side, width) = (config.numChannels, config.patchSize, config.patchesPerSide, config.hiddenSize)
        let imageSize = config.imageSize
        let patchLength = channels * patch * patch
        var patches = Matrix(rows: side * side, columns: patchLength)
        for row in 0..<side {
            for column in 0..<side {
                let base = (row * side + column) * patchLength
                for channel in 0..<channels {
                    for y in 0..<patch {
                        let source = (channel * imageSize + row * patch + y) * imageSize + column * patch
                        let target = base + (channel * patch + y) * patch
                        for x in 0..<patch { patches.values[target + x] = pixels.values[source + x] }
                    }
                }
            }
        }
        var embeddings = Matrix(rows: config.tokensPerImage, columns: width)
        embeddings.values.withUnsafeMutableBufferPointer { output in
            patches.values.withUnsafeBufferPointer { input in
                let output = output.baseAddress!
                output.update(from: classEmbedding.pointer, count: width)
                BLAS.sgemm(m: side * side, n: width, k: patchLength, a: input.baseAddress!, lda: patchLength,
                           b: patchEmbedding.pointer, ldb: patchLength, transposeB: true, c: output + width, ldc: width)
                RowKernels.add(output, positionEmbedding.pointer, count: config.tokensPerImage * width)
            }
        }
        return embeddings
    }

    private func selfAttention(_ x: Matrix, layer: Layer) -> Matrix {
        attention(queries: layer.query(x), blocks: [.init(keys: layer.key(x).values, values: layer.value(x).values)], visibility: .all)
    }
}

/// `x += y`, element-wise.
func add(_ y: Matrix, to x: inout Matrix) {
    precondition(x.values.count == y.values.count)
    x.values.withUnsafeMutableBufferPointer { target in
        y.values.withUnsafeBufferPointer { RowKernels.add(target.baseAddress!, $0.baseAddress!, count: $0.count) }
    }
}
