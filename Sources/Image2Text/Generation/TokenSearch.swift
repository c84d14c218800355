import Foundation

/// Greedy decoding and multinomial sampling as transformers 5.23's `_sample` (docs/generation.md, "Greedy search and
/// sampling"): the prompt is fed once; then every unfinished sequence feeds its last token. Each step applies the
/// logits processors, then either takes the first arg-max or, when sampling, applies the warpers and draws from the
/// softmax. With several return sequences (sampling only) each is an independent draw sharing the prompt's keys and
/// values.
struct TokenSearch: DecodingSearch {
    let limits: LengthLimits
    let settings: DecodingSettings
    private var random: SeededGenerator
    private var sequences: [[Int]]
    /// Sum of the chosen tokens' log-probabilities under the processed distribution.
    private var logProbabilities: [Float]
    private var finishReasons: [GenerationResult.FinishReason?]
    /// Sequence indices of the rows fed in the next step.
    private var rows: [Int]
    private var textStream: TextStream?

    /// The first sequence's text, released as it is decided (``GenerationRequest/onText``).
    struct TextStream {
        var decoder: TextDeltaDecoder
        let emit: (String) throws -> Void
    }

    init(prompt: [Int], limits: LengthLimits, settings: DecodingSettings, textStream: TextStream? = nil) {
        self.limits = limits
        self.settings = settings
        self.textStream = textStream
        random = SeededGenerator(seed: settings.seed)
        let count = settings.returnSequences
        sequences = Array(repeating: prompt, count: count)
        logProbabilities = Array(repeating: 0, count: count)
        finishReasons = Array(repeating: nil, count: count)
        rows = [0]
    }

    var nextTokens: [[Int]] {
        guard let first = rows.first else { return [] }
        // The first step feeds the prompt once for all sequences.
        return sequences[first].count == limits.promptLength ? [sequences[first]] : rows.map { [sequences[$0].last!] }
    }

    mutating func advance(logits: Matrix) throws -> [Int] {
        let firstStep = sequences[0].count == limits.promptLength
        let feeding = firstStep ? Array(sequences.indices) : rows
        var parents = [Int]()
        rows = []
        for (position, sequence) in feeding.enumerated() {
            let row = firstStep ? 0 : position
            var scores = logits.row(row)
            settings.processors.apply(&scores, ids: sequences[sequence], limits: limits)
            let token: Int
            if settings.strategy == .sample {
                settings.warpers.apply(&scores)
                var probabilities = scores
                softmax(&probabilities)
                token = random.draw(from: probabilities)
            } else {
                token = Self.argmax(scores)
            }
            logProbabilities[sequence] += logProbability(of: token, in: scores)
            sequences[sequence].append(token)
            if settings.endOfSequence.contains(token) {
                finishReasons[sequence] = .endOfSequence
            } else if sequences[sequence].count >= limits.maxLength {
                finishReasons[sequence] = .maxLength
            } else {
                rows.append(sequence)
                parents.append(row)
            }
            if sequence == 0 { try stream(token, finished: finishReasons[0] != nil) }
        }
        return parents
    }

    private mutating func stream(_ token: Int, finished: Bool) throws {
        guard var stream = textStream else { return }
        if let piece = try stream.decoder.append(token) { try stream.emit(piece) }
        if finished, let piece = try stream.decoder.finish() { try stream.emit(piece) }
        textStream = stream
    }

    var results: [SearchResult] {
        sequences.indices.map { index in
            let generated = sequences[index].count - limits.promptLength
            return SearchResult(ids: sequences[index], generatedCount: generated,
                                score: logProbabilities[index] / Float(pow(Double(generated), settings.lengthPenalty)),
                                finishReason: finishReasons[index] ?? .maxLength)
        }
    }

    /// The index of the largest value, the first one on ties (`torch.argmax`).
    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for index in values.indices where values[index] > values[best] { best = index }
        return best
    }
}
