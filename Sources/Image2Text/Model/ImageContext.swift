/// An image encoded for the text decoder: for every decoder layer, the keys and values of the image tokens
/// (docs/model.md, "Key/value cache"). Image tokens attend only to each other, so this block does not depend on the
/// text; it is computed once per image and read by every decoding step, every question and every sequence about that
/// image.
public struct ImageContext: Sendable {
    /// Image tokens per layer (patches plus class token, per frame).
    public let tokenCount: Int
    /// Keys and values of each decoder layer, `tokenCount × hidden` row-major.
    let keys: [[Float]]
    let values: [[Float]]
}

/// The growing text part of the decoder's key/value cache for one sequence.
struct TextCache {
    /// Text tokens cached so far; the next token's text position.
    private(set) var count = 0
    private(set) var keys: [[Float]]
    private(set) var values: [[Float]]
    let width: Int

    init(layers: Int, width: Int, capacity: Int) {
        self.width = width
        var empty = [Float]()
        empty.reserveCapacity(capacity * width)
        keys = Array(repeating: empty, count: layers)
        values = Array(repeating: empty, count: layers)
    }

    /// Appends the keys and values of new tokens to layer `layer`.
    mutating func append(layer: Int, keys newKeys: Matrix, values newValues: Matrix) {
        keys[layer].append(contentsOf: newKeys.values)
        values[layer].append(contentsOf: newValues.values)
    }

    /// Records that `tokens` more tokens were appended to every layer.
    mutating func advance(by tokens: Int) {
        count += tokens
        precondition(keys.allSatisfy { $0.count == count * width })
    }
}
