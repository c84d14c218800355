/// Feeds a finished sequence back through the decoder, its prompt and then each generated token, and records every
/// generated token's ``TokenLogProbability``: the sequence is given, not searched.
struct TeacherForcedSearch: DecodingSearch {
    let limits: LengthLimits
    private let ids: [Int]
    private let generatedCount: Int
    private let alternatives: Int
    private(set) var tokens: [TokenLogProbability] = []

    init(_ result: GenerationResult, alternatives: Int, maxPositions: Int) throws {
        ids = Array(result.ids.prefix(result.promptIds.count + result.generatedCount))
        generatedCount = result.generatedCount
        self.alternatives = alternatives
        limits = try LengthLimits(options: GenerationOptions(maxNewTokens: max(1, generatedCount)),
                                  promptLength: result.promptIds.count, maxPositions: maxPositions)
    }

    var nextTokens: [[Int]] {
        let position = limits.promptLength + tokens.count
        guard tokens.count < generatedCount else { return [] }
        // The prompt first; then the token before each position to score.
        return tokens.isEmpty ? [Array(ids[..<position])] : [[ids[position - 1]]]
    }

    mutating func advance(logits: Matrix) throws -> [Int] {
        let logProbabilities = logSoftmax(logits.row(0))
        let id = ids[limits.promptLength + tokens.count]
        let best = largestIndices(logProbabilities, count: min(alternatives, logProbabilities.count))
        tokens.append(TokenLogProbability(
            token: .init(id: id, logProbability: logProbabilities[id]),
            alternatives: best.map { .init(id: $0, logProbability: logProbabilities[$0]) }))
        return tokens.count < generatedCount ? [0] : []
    }

    var results: [SearchResult] { [] }
}
