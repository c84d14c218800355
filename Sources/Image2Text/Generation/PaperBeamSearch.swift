import Foundation

/// The original GIT repository's beam search (`GeneratorWithBeamSearch`; docs/generation.md, "The paper's beam search",
/// and `tools/reference/PAPER_BEAM.md`), with which the paper's numbers were produced. Differences from transformers'
/// ``BeamSearch``: hypotheses are scored `log-probability / ((5 + length)^lp / 6^lp)` (GNMT) with the length counting
/// the prompt and not [SEP]; any [SEP] candidate met before `numBeams` survivors are collected may finish; the finished
/// list keeps `numReturnSequences` entries (1 in the original); the length limit counts the final [SEP], which replaces
/// the last chosen token when the limit is reached.
struct PaperBeamSearch: DecodingSearch {
    private struct Finished {
        let ids: [Int]
        let score: Double
        let endedWithSeparator: Bool
    }

    let limits: LengthLimits
    let settings: DecodingSettings
    private let beams: Int
    /// The total length limit including the final [SEP] (the original's `max_steps`).
    private var maxSteps: Int { limits.maxLength }
    private var rows: [[Int]]
    private var runningScores: [Float]
    private var finished: [Finished] = []
    private var worst = 1e9
    private var done = false

    init(prompt: [Int], beams: Int, limits: LengthLimits, settings: DecodingSettings) {
        self.limits = limits
        self.settings = settings
        self.beams = beams
        rows = Array(repeating: prompt, count: beams)
        runningScores = (0..<beams).map { $0 == 0 ? 0 : -1.0e9 }
    }

    private var keep: Int { settings.returnSequences }
    private var isFirstStep: Bool { rows[0].count == limits.promptLength }

    /// GNMT length normalisation.
    private func normaliser(_ length: Int) -> Double {
        pow(5 + Double(length), settings.lengthPenalty) / pow(6, settings.lengthPenalty)
    }

    var nextTokens: [[Int]] {
        if done || rows.isEmpty { return [] }
        return isFirstStep ? [rows[0]] : rows.map { [$0.last!] }
    }

    mutating func advance(logits: Matrix) throws -> [Int] {
        let firstStep = isFirstStep
        let length = rows[0].count
        let vocabulary = logits.columns
        let accumulated = accumulatedLogProbabilities(logits: logits, beams: zip(rows, runningScores).map { ($0, $1) },
                                                      firstStep: firstStep, settings: settings, limits: limits, warp: false)
        let candidates = largestIndices(accumulated, count: 2 * beams)
        // Stop once the list is full and no total of this step could beat its worst entry at the longest length.
        if finished.count >= keep, worst >= Double(accumulated[candidates[0]]) / normaliser(maxSteps - 1) {
            done = true
            return []
        }
        var survivors = [Int]()
        for candidate in candidates {
            let (beam, token) = (candidate / vocabulary, candidate % vocabulary)
            if settings.endOfSequence.contains(token) || length + 1 == maxSteps {
                offer(rows[beam], total: accumulated[candidate], endedWithSeparator: settings.endOfSequence.contains(token))
            } else {
                survivors.append(candidate)
            }
            if survivors.count == beams { break }
        }
        rows = survivors.map { rows[$0 / vocabulary] + [$0 % vocabulary] }
        runningScores = survivors.map { accumulated[$0] }
        done = length + 1 == maxSteps || survivors.isEmpty
        return done ? [] : survivors.map { firstStep ? 0 : $0 / vocabulary }
    }

    /// `BeamHypotheses.add`: `hypothesis` is the sequence without the token that ended it; `total` includes that
    /// token's log-probability.
    private mutating func offer(_ hypothesis: [Int], total: Float, endedWithSeparator: Bool) {
        let score = Double(total) / normaliser(hypothesis.count)
        guard finished.count < keep || score > worst else { return }
        finished.append(Finished(ids: hypothesis, score: score, endedWithSeparator: endedWithSeparator))
        if finished.count > keep {
            // Drop the lowest score, the earliest added on ties.
            let lowest = finished.indices.min { (finished[$0].score, $0) < (finished[$1].score, $1) }!
            finished.remove(at: lowest)
            worst = finished.map(\.score).min()!
        } else {
            worst = min(worst, score)
        }
    }

    /// The finished hypotheses, best first, each followed by [SEP] (the original pads with [SEP]; the padding is
    /// left out here).
    var results: [SearchResult] {
        let separator = settings.endOfSequence[0]
        return largestIndices(finished.map { Float($0.score) }, count: finished.count).map { index in
            let hypothesis = finished[index]
            return SearchResult(ids: hypothesis.ids + [separator], generatedCount: hypothesis.ids.count + 1 - limits.promptLength,
                                score: Float(hypothesis.score),
                                finishReason: hypothesis.endedWithSeparator ? .endOfSequence : .maxLength)
        }
    }
}
