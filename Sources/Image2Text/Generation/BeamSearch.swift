import Foundation

/// Beam search as transformers 5.23's vectorised `_beam_search` (docs/generation.md, "Beam search"), step for step and
/// in float32, so that ids and `sequences_scores` match: each step keeps the best 2K continuations of the K running
/// beams, continues the best K that did not stop, and offers those among the first K that stopped to a K-slot finished
/// set scored `log-probability / generated length ^ length_penalty`. The "−1e9" arithmetic of the reference is
/// reproduced as is.
///
/// All beams read the image's one key/value block; only their text caches are separate.
struct BeamSearch: DecodingSearch {
    private struct Hypothesis {
        var ids: [Int]
        var score: Float
        var finished = false
    }

    private static let excluded: Float = -1.0e9

    let limits: LengthLimits
    let settings: DecodingSettings
    private let beams: Int
    private let sampled: Bool
    private var random: SeededGenerator
    private var running: [Hypothesis]
    private var finished: [Hypothesis]
    private var improvementPossible = true
    private var done = false

    init(prompt: [Int], beams: Int, sampled: Bool, limits: LengthLimits, settings: DecodingSettings) {
        self.limits = limits
        self.settings = settings
        self.beams = beams
        self.sampled = sampled
        random = SeededGenerator(seed: settings.seed)
        // Only beam 0 starts live, so that the first step does not pick the same token K times.
        running = (0..<beams).map { Hypothesis(ids: prompt, score: $0 == 0 ? 0 : Self.excluded) }
        finished = Array(repeating: Hypothesis(ids: prompt, score: Self.excluded), count: beams)
    }

    private var isFirstStep: Bool { running[0].ids.count == limits.promptLength }

    var nextTokens: [[Int]] {
        if done { return [] }
        // The beams share the prompt at first: feed it once.
        return isFirstStep ? [running[0].ids] : running.map { [$0.ids.last!] }
    }

    mutating func advance(logits: Matrix) throws -> [Int] {
        let firstStep = isFirstStep
        let length = running[0].ids.count
        let vocabulary = logits.columns
        let accumulated = accumulatedLogProbabilities(logits: logits, beams: running.map { ($0.ids, $0.score) }, firstStep: firstStep,
                                                      settings: settings, limits: limits, warp: sampled)
        let keep = max(2, 1 + settings.endOfSequence.count) * beams
        let candidates = sampled ? sampleWithoutReplacement(accumulated, count: keep) : largestIndices(accumulated, count: keep)
        let stops = candidates.map { index in
            settings.endOfSequence.contains(index % vocabulary) || length + 1 >= limits.maxLength
        }
        func hypothesis(_ candidate: Int, score: Float) -> Hypothesis {
            let index = candidates[candidate]
            return Hypothesis(ids: running[index / vocabulary].ids + [index % vocabulary], score: score)
        }

        // The best K continuations that did not stop run on.
        let runningScores = candidates.indices.map { accumulated[candidates[$0]] + (stops[$0] ? Self.excluded : 0) }
        let continuing = largestIndices(runningScores, count: beams)
        let parents = continuing.map { firstStep ? 0 : candidates[$0] / vocabulary }
        let nextRunning = continuing.map { hypothesis($0, score: runningScores[$0]) }

        // Candidates among the first K that stopped may enter the finished set.
        let setIsFull = finished.allSatisfy(\.finished) && settings.earlyStopping == .whenComplete
        let normaliser = Float(pow(Double(length + 1 - limits.promptLength), settings.lengthPenalty))
        var merged = finished
        for candidate in candidates.indices {
            var score = accumulated[candidates[candidate]] / normaliser
            if setIsFull { score += Self.excluded }
            if !improvementPossible { score += Self.excluded }
            let eligible = stops[candidate] && candidate < beams
            if !eligible { score += Self.excluded }
            var entry = hypothesis(candidate, score: score)
            entry.finished = eligible
            merged.append(entry)
        }
        finished = largestIndices(merged.map(\.score), count: beams).map { merged[$0] }
        running = nextRunning

        // Stop when no running beam can beat the finished set, when the set is full under early_stopping=True, or
        // when every candidate stopped (max length).
        let newLength = length + 1
        let hypotheticalLength = settings.earlyStopping == .never && settings.lengthPenalty > 0
            ? limits.maxLength - limits.promptLength : newLength - limits.promptLength
        let bestPossible = running[0].score / Float(pow(Double(hypotheticalLength), settings.lengthPenalty))
        let worstFinished = finished.map(\.score).min()!
        improvementPossible = improvementPossible && finished.contains { bestPossible > ($0.finished ? worstFinished : Self.excluded) }
        let allFinished = finished.allSatisfy(\.finished)
        done = !improvementPossible || (allFinished && settings.earlyStopping == .whenComplete) || stops.allSatisfy { $0 }
        return done ? [] : parents
    }

    /// The best `returnSequences` finished hypotheses, padded to the longest of them with ``DecodingSettings/beamFill``.
    var results: [SearchResult] {
        let returned = finished.prefix(settings.returnSequences)
        let width = returned.map(\.ids.count).max() ?? limits.promptLength
        return returned.map { hypothesis in
            let generated = hypothesis.ids.count - limits.promptLength
            let last = hypothesis.ids.last!
            return SearchResult(
                ids: hypothesis.ids + Array(repeating: settings.beamFill, count: width - hypothesis.ids.count),
                generatedCount: generated, score: hypothesis.score,
                finishReason: generated > 0 && settings.endOfSequence.contains(last) ? .endOfSequence : .maxLength)
        }
    }

    /// `count` distinct indices drawn with probability proportional to `softmax(values)`, without replacement, in
    /// draw order (torch.multinomial without replacement), through the Gumbel-top-k equivalence.
    private mutating func sampleWithoutReplacement(_ values: [Float], count: Int) -> [Int] {
        let keys = values.map { value -> Float in
            let uniform = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &random)
            return value - Float(log(-log(uniform)))
        }
        return largestIndices(keys, count: count)
    }
}

/// Every beam's next-token log-probabilities (after the logits processors, and the warpers when `warp`) plus the
/// beam's running score, flattened beam-major as transformers' `[K · V]` row. On the first step all beams read row 0.
func accumulatedLogProbabilities(logits: Matrix, beams: [(ids: [Int], score: Float)], firstStep: Bool,
                                 settings: DecodingSettings, limits: LengthLimits, warp: Bool) -> [Float] {
    var accumulated = [Float]()
    accumulated.reserveCapacity(beams.count * logits.columns)
    for (beam, hypothesis) in beams.enumerated() {
        var scores = logSoftmax(logits.row(firstStep ? 0 : beam))
        settings.processors.apply(&scores, ids: hypothesis.ids, limits: limits)
        if warp { settings.warpers.apply(&scores) }
        accumulated += scores.map { $0 + hypothesis.score }
    }
    return accumulated
}

/// The indices of the `count` largest values, largest first; the lower index first on ties.
func largestIndices(_ values: [Float], count: Int) -> [Int] {
    var best = [Int]()  // by value descending, then index ascending
    best.reserveCapacity(count + 1)
    for index in values.indices {
        let value = values[index]
        if best.count == count, let last = best.last, !(value > values[last]) { continue }
        var position = best.count
        while position > 0, value > values[best[position - 1]] { position -= 1 }
        best.insert(index, at: position)
        if best.count > count { best.removeLast() }
    }
    return best
}
