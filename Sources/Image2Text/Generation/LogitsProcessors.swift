import Foundation
import Image2TextKernels

/// The score changes transformers 5.23 applies before choosing a token, in its order (`_get_logits_processor`):
/// repetition penalty, no-repeat n-grams, bad words, minimum length. Greedy search and sampling apply them to the
/// logits, beam search to the log-probabilities.
struct LogitsProcessors: Sendable {
    /// `repetition_penalty`; 1 leaves scores unchanged.
    var repetitionPenalty: Float = 1
    /// `no_repeat_ngram_size`; 0 allows every repetition.
    var noRepeatNgramSize = 0
    /// Forbidden single tokens (`bad_words_ids` entries of length 1).
    var badTokens: [Int] = []
    /// Forbidden sequences of two or more tokens: their last token is forbidden after the rest.
    var badSequences: [[Int]] = []
    var endOfSequence: [Int] = []

    /// - Parameters:
    ///   - badWordsIds: as transformers, an entry that is just an end-of-sequence id is dropped.
    init(repetitionPenalty: Double, noRepeatNgramSize: Int, badWordsIds: [[Int]], endOfSequence: [Int]) {
        self.repetitionPenalty = Float(repetitionPenalty)
        self.noRepeatNgramSize = noRepeatNgramSize
        let badWords = badWordsIds.filter { word in !endOfSequence.contains { word == [$0] } }
        badTokens = badWords.filter { $0.count == 1 }.map { $0[0] }
        badSequences = badWords.filter { $0.count > 1 }
        self.endOfSequence = endOfSequence
    }

    /// Applies every processor to `scores` (one vocabulary row) for the sequence `ids` (prompt included).
    func apply(_ scores: inout [Float], ids: [Int], limits: LengthLimits) {
        if repetitionPenalty != 1 {
            for token in Set(ids) {
                let score = scores[token]
                scores[token] = score < 0 ? score * repetitionPenalty : score / repetitionPenalty
            }
        }
        if noRepeatNgramSize > 0 {
            for token in Self.tokensCompletingRepeatedNgram(ids, size: noRepeatNgramSize) { scores[token] = -.infinity }
        }
        for token in badTokens { scores[token] = -.infinity }
        for sequence in badSequences where ids.count >= sequence.count - 1 && ids.suffix(sequence.count - 1).elementsEqual(sequence.dropLast()) {
            scores[sequence[sequence.count - 1]] = -.infinity
        }
        if ids.count < limits.minLength {
            for token in endOfSequence { scores[token] = -.infinity }
        }
    }

    /// The tokens that would repeat an n-gram of `ids`: those that followed an earlier occurrence of the last n−1 ids.
    static func tokensCompletingRepeatedNgram(_ ids: [Int], size: Int) -> [Int] {
        guard ids.count + 1 >= size else { return [] }
        let prefix = ids.suffix(size - 1)
        return (0...(ids.count - size)).compactMap { start in
            ids[start..<start + size - 1].elementsEqual(prefix) ? ids[start + size - 1] : nil
        }
    }
}

/// The sampling warpers, in transformers' order: temperature, top-k, top-p. Removed tokens get −∞.
struct SamplingWarpers: Sendable {
    var temperature: Float = 1
    /// 0 keeps every token.
    var topK = 0
    var topP: Double = 1
    /// Tokens top-k and top-p always keep (beam sampling keeps one more than there are end-of-sequence ids).
    var minTokensToKeep = 1

    func apply(_ scores: inout [Float]) {
        if temperature != 1 {
            for index in scores.indices { scores[index] /= temperature }
        }
        if topK > 0 {
            // Keep every score at least the k-th largest (ties at the boundary are all kept).
            let threshold = scores.sorted(by: >)[min(max(topK, minTokensToKeep), scores.count) - 1]
            for index in scores.indices where scores[index] < threshold { scores[index] = -.infinity }
        }
        if topP < 1 {
            // Ascending order; drop the low tail whose cumulative probability stays within 1 − top_p.
            let order = scores.indices.sorted { scores[$0] < scores[$1] }
            var probabilities = order.map { scores[$0] }
            softmax(&probabilities)
            let threshold = Float(1 - topP)
            var cumulative = 0.0  // torch's CPU cumsum accumulates in double
            for (rank, token) in order.enumerated() where rank < order.count - minTokensToKeep {
                cumulative += Double(probabilities[rank])
                guard Float(cumulative) <= threshold else { break }
                scores[token] = -.infinity
            }
        }
    }
}

/// Log-softmax of one score row (`log_softmax` in float32).
func logSoftmax(_ scores: [Float]) -> [Float] {
    let (maximum, logSum) = logSoftmaxTerms(scores)
    guard maximum > -.infinity else { return scores }
    return scores.map { $0 - maximum - logSum }
}

/// `logSoftmax(scores)[token]`, without the rest of the row.
func logProbability(of token: Int, in scores: [Float]) -> Float {
    let (maximum, logSum) = logSoftmaxTerms(scores)
    guard maximum > -.infinity else { return scores[token] }
    return scores[token] - maximum - logSum
}

private func logSoftmaxTerms(_ scores: [Float]) -> (maximum: Float, logSum: Float) {
    scores.withUnsafeBufferPointer { RowKernels.logSoftmaxTerms($0.baseAddress!, count: $0.count) }
}

/// Softmax of one score row in place.
func softmax(_ scores: inout [Float]) {
    scores.withUnsafeMutableBufferPointer { RowKernels.softmax($0.baseAddress!, count: $0.count) }
}
