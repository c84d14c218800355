import Foundation

// The only file that knows the Hugging Face parameter names of GIT checkpoints (transformers 5.23
// `GitForCausalLM.state_dict()`). Model code asks for tensors through these typed names; the loader checks a
// checkpoint against `GitTensorNames.expected`.

/// Names and shapes of a `Linear` layer's tensors (weight stored `[out, in]`).
package struct LinearNames: Sendable {
    package let weight: String
    package let bias: String
    package let inFeatures: Int
    package let outFeatures: Int

    init(_ prefix: String, in inFeatures: Int, out outFeatures: Int) {
        (weight, bias, self.inFeatures, self.outFeatures) = (prefix + ".weight", prefix + ".bias", inFeatures, outFeatures)
    }

    var expected: [ExpectedTensor] { [.init(weight, [outFeatures, inFeatures], isMatrix: true), .init(bias, [outFeatures])] }
}

/// Names of a `LayerNorm`'s scale and shift.
package struct LayerNormNames: Sendable {
    package let weight: String
    package let bias: String
    package let size: Int

    init(_ prefix: String, size: Int) { (weight, bias, self.size) = (prefix + ".weight", prefix + ".bias", size) }

    var expected: [ExpectedTensor] { [.init(weight, [size]), .init(bias, [size])] }
}

/// A tensor a checkpoint must hold, with its shape.
package struct ExpectedTensor: Sendable, Equatable {
    package let name: String
    package let shape: [Int]
    /// Whether the model reads the tensor as a weight matrix (linear weights and the word embeddings), which may be
    /// stored in any ``WeightType``: int8 as an I8 tensor beside an F32 `<name>_scale` of one scale per row.
    package let isMatrix: Bool

    init(_ name: String, _ shape: [Int], isMatrix: Bool = false) { (self.name, self.shape, self.isMatrix) = (name, shape, isMatrix) }

    /// The name of an int8 matrix's per-row scales.
    package var scaleName: String { name + "_scale" }
}

/// Every parameter of a `GitForCausalLM` built from `config`, by Hugging Face name.
package struct GitTensorNames: Sendable {
    /// One CLIP encoder layer (`git.image_encoder.vision_model.encoder.layers.{i}`).
    package struct VisionLayer: Sendable {
        package let layerNorm1, layerNorm2: LayerNormNames
        package let query, key, value, output: LinearNames
        package let fc1, fc2: LinearNames
    }

    /// One BERT-style decoder layer (`git.encoder.layer.{i}`).
    package struct DecoderLayer: Sendable {
        package let query, key, value: LinearNames
        package let attentionOutput: LinearNames
        package let attentionLayerNorm: LayerNormNames
        package let intermediate: LinearNames
        package let output: LinearNames
        package let outputLayerNorm: LayerNormNames
    }

    package let classEmbedding: ExpectedTensor
    package let patchEmbedding: ExpectedTensor
    package let visionPositionEmbedding: ExpectedTensor
    package let preLayerNorm: LayerNormNames
    package let visionLayers: [VisionLayer]
    package let postLayerNorm: LayerNormNames
    /// Per-frame temporal embeddings of video checkpoints, `[1, 1, hidden]` each; empty for image models.
    package let temporalEmbeddings: [ExpectedTensor]
    package let projection: LinearNames
    package let projectionLayerNorm: LayerNormNames
    package let wordEmbeddings: ExpectedTensor
    package let textPositionEmbeddings: ExpectedTensor
    package let embeddingLayerNorm: LayerNormNames
    package let decoderLayers: [DecoderLayer]
    package let lmHead: LinearNames

    package init(config: GitConfig) {
        let vision = config.visionConfig
        let (v, t) = (vision.hiddenSize, config.hiddenSize)
        let visionModel = "git.image_encoder.vision_model."
        classEmbedding = .init(visionModel + "embeddings.class_embedding", [v])
        patchEmbedding = .init(visionModel + "embeddings.patch_embedding.weight",
                               [v, vision.numChannels, vision.patchSize, vision.patchSize])
        visionPositionEmbedding = .init(visionModel + "embeddings.position_embedding.weight", [vision.tokensPerImage, v])
        preLayerNorm = LayerNormNames(visionModel + "pre_layrnorm", size: v)
        visionLayers = (0..<vision.numHiddenLayers).map { index in
            let layer = visionModel + "encoder.layers.\(index)."
            return VisionLayer(
                layerNorm1: LayerNormNames(layer + "layer_norm1", size: v),
                layerNorm2: LayerNormNames(layer + "layer_norm2", size: v),
                query: LinearNames(layer + "self_attn.q_proj", in: v, out: v),
                key: LinearNames(layer + "self_attn.k_proj", in: v, out: v),
                value: LinearNames(layer + "self_attn.v_proj", in: v, out: v),
                output: LinearNames(layer + "self_attn.out_proj", in: v, out: v),
                fc1: LinearNames(layer + "mlp.fc1", in: v, out: vision.intermediateSize),
                fc2: LinearNames(layer + "mlp.fc2", in: vision.intermediateSize, out: v))
        }
        postLayerNorm = LayerNormNames(visionModel + "post_layernorm", size: v)
        temporalEmbeddings = (0..<(config.numImageWithEmbedding ?? 0)).map { .init("git.img_temporal_embedding.\($0)", [1, 1, v]) }
        projection = LinearNames("git.visual_projection.visual_projection.0", in: v, out: t)
        projectionLayerNorm = LayerNormNames("git.visual_projection.visual_projection.1", size: t)
        wordEmbeddings = .init("git.embeddings.word_embeddings.weight", [config.vocabSize, t], isMatrix: true)
        textPositionEmbeddings = .init("git.embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, t])
        embeddingLayerNorm = LayerNormNames("git.embeddings.LayerNorm", size: t)
        decoderLayers = (0..<config.numHiddenLayers).map { index in
            let layer = "git.encoder.layer.\(index)."
            return DecoderLayer(
                query: LinearNames(layer + "attention.self.query", in: t, out: t),
                key: LinearNames(layer + "attention.self.key", in: t, out: t),
                value: LinearNames(layer + "attention.self.value", in: t, out: t),
                attentionOutput: LinearNames(layer + "attention.output.dense", in: t, out: t),
                attentionLayerNorm: LayerNormNames(layer + "attention.output.LayerNorm", size: t),
                intermediate: LinearNames(layer + "intermediate.dense", in: t, out: config.intermediateSize),
                output: LinearNames(layer + "output.dense", in: config.intermediateSize, out: t),
                outputLayerNorm: LayerNormNames(layer + "output.LayerNorm", size: t))
        }
        lmHead = LinearNames("output", in: t, out: config.vocabSize)
    }

    /// Every tensor the model reads, in transformers' `state_dict()` order.
    package var expected: [ExpectedTensor] {
        var all = [wordEmbeddings, textPositionEmbeddings] + embeddingLayerNorm.expected
        all += [classEmbedding, patchEmbedding, visionPositionEmbedding] + preLayerNorm.expected
        for layer in visionLayers {
            all += layer.key.expected + layer.value.expected + layer.query.expected + layer.output.expected
            all += layer.layerNorm1.expected + layer.fc1.expected + layer.fc2.expected + layer.layerNorm2.expected
        }
        all += postLayerNorm.expected
        for layer in decoderLayers {
            all += layer.query.expected + layer.key.expected + layer.value.expected
            all += layer.attentionOutput.expected + layer.attentionLayerNorm.expected + layer.intermediate.expected
            all += layer.output.expected + layer.outputLayerNorm.expected
        }
        all += projection.expected + projectionLayerNorm.expected + temporalEmbeddings
        return all + lmHead.expected
    }

    /// Checks the counts `config` claims (decoder layers, vision layers, frames with a temporal embedding) against
    /// the distinct indices under those names in `names` (the weight files' tensor names): a claim above what the
    /// weights hold is an error naming the key of `file`. Fewer is left to the strict name check, which lists the
    /// unexpected tensors.
    package static func checkCounts(of config: GitConfig, against names: some Sequence<String>, file: URL) throws {
        let repeated = [
            (key: "num_hidden_layers", claimed: config.numHiddenLayers, prefix: "git.encoder.layer.", what: "decoder layers"),
            (key: "vision_config.num_hidden_layers", claimed: config.visionConfig.numHiddenLayers,
             prefix: "git.image_encoder.vision_model.encoder.layers.", what: "vision layers"),
            (key: "num_image_with_embedding", claimed: config.numImageWithEmbedding ?? 0, prefix: "git.img_temporal_embedding.",
             what: "temporal embeddings"),
        ]
        var indices = Array(repeating: Set<Substring>(), count: repeated.count)
        for name in names {
            guard let name = canonicalName(name) else { continue }
            for (slot, entry) in repeated.enumerated() where name.hasPrefix(entry.prefix) {
                indices[slot].insert(name.dropFirst(entry.prefix.count).prefix { $0 != "." })
            }
        }
        for (entry, found) in zip(repeated, indices) where entry.claimed > found.count {
            throw ConfigurationError.invalidValue(file, keyPath: entry.key,
                                                  reason: "is \(entry.claimed) but the weights hold \(found.count) \(entry.what)")
        }
    }

    /// The name a checkpoint tensor is known by, or nil for tensors that are deliberately ignored.
    ///
    /// - `*.position_ids` are the `arange` buffers that the `pytorch_model.bin` files of transformers 4.x keep.
    /// - Checkpoints converted by Hugging Face spell the temporal embedding `img_temperal_embedding`.
    package static func canonicalName(_ checkpointName: String) -> String? {
        if checkpointName.hasSuffix(".position_ids") { return nil }
        return checkpointName.replacingOccurrences(of: "git.img_temperal_embedding.", with: "git.img_temporal_embedding.")
    }
}
