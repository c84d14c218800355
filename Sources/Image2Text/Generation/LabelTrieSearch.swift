import Foundation

/// One label's score in a ``Classification``.
public struct LabelScore: Sendable, Equatable {
    public let label: String
    /// The label's token ids (without special tokens).
    public let ids: [Int]
    /// log P(label ids, then [SEP] | image, prompt): the sum of the tokens' log-probabilities.
    public let logProbability: Double
    /// The label's share of the probability of all labels: `softmax` of the log-probabilities over the labels.
    public let probability: Double
}

/// Labels ranked by how likely the model is to generate each of them (then end the sequence).
public struct Classification: Sendable, Equatable {
    /// Every label, most likely first (ties keep the labels' order).
    public let ranking: [LabelScore]
    public var best: LabelScore { ranking[0] }
}

extension GITModel {
    /// Classifies `image` by generation: decoding constrained to the token trie of `labels` (as the original GIT
    /// repository's trie decoder), scoring every label exactly: each trie node is decoded once, so labels that share
    /// a first word share its computation. A label's score is log P(label tokens, [SEP] | image, prompt), where the
    /// prompt is `[CLS]` or `[CLS]` + `question`.
    ///
    /// - Throws: ``GenerationError/emptyLabelList``, ``GenerationError/labelWithoutTokens(_:)``,
    ///   ``GenerationError/emptyQuestion`` and the prompt and image errors of ``generate(_:options:)``.
    public func classify(_ image: ImageContext, labels: [String], question: String? = nil) throws -> Classification {
        guard !labels.isEmpty else { throw GenerationError.emptyLabelList }
        let labelIds = try labels.map { label in
            let ids = tokenizer.encode(label, addSpecialTokens: false)
            guard !ids.isEmpty else { throw GenerationError.labelWithoutTokens(label) }
            return ids
        }
        let request = try self.request(question: question, image: image)
        try check(request)
        // Room for the longest label and [SEP].
        let limits = try LengthLimits(options: GenerationOptions(maxNewTokens: labelIds.map(\.count).max()! + 1),
                                      promptLength: request.promptIds.count,
                                      maxPositions: configuration.maxPositionEmbeddings)
        var searches: [any DecodingSearch] = [
            LabelTrieSearch(prompt: request.promptIds, labels: labelIds, endOfSequence: endOfSequence[0], limits: limits)
        ]
        try DecodingLoop(decoder: decoder).run(&searches, images: [image])
        let scores = (searches[0] as! LabelTrieSearch).labelLogProbabilities
        let maximum = scores.max()!
        let total = scores.reduce(0) { $0 + exp($1 - maximum) }
        let ranked = labels.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return Classification(ranking: ranked.map {
            LabelScore(label: labels[$0], ids: labelIds[$0], logProbability: scores[$0], probability: exp(scores[$0] - maximum) / total)
        })
    }
}

/// Walks the token trie of the labels breadth first: the prompt, then every trie node of depth 1, 2, … as one row
/// each (continuing its parent's cache). A node's logits give its children's log-probabilities and, where a label
/// ends, the log-probability of [SEP].
struct LabelTrieSearch: DecodingSearch {
    private struct Node {
        var token: Int
        var children: [Int] = []
        var labels: [Int] = []
        var logProbability = 0.0
    }

    let limits: LengthLimits
    private let prompt: [Int]
    private let endOfSequence: Int
    private var nodes = [Node(token: -1)]
    /// The nodes fed in the next step.
    private var frontier = [0]
    private(set) var labelLogProbabilities: [Double]

    init(prompt: [Int], labels: [[Int]], endOfSequence: Int, limits: LengthLimits) {
        self.prompt = prompt
        self.endOfSequence = endOfSequence
        self.limits = limits
        labelLogProbabilities = Array(repeating: 0, count: labels.count)
        for (label, ids) in labels.enumerated() {
            var node = 0
            for token in ids {
                if let child = nodes[node].children.first(where: { nodes[$0].token == token }) {
                    node = child
                } else {
                    nodes.append(Node(token: token))
                    nodes[node].children.append(nodes.count - 1)
                    node = nodes.count - 1
                }
            }
            nodes[node].labels.append(label)
        }
    }

    var nextTokens: [[Int]] { frontier.map { $0 == 0 ? prompt : [nodes[$0].token] } }

    mutating func advance(logits: Matrix) throws -> [Int] {
        var next = [Int](), parents = [Int]()
        for (row, node) in frontier.enumerated() {
            let logProbabilities = logSoftmax(logits.row(row))
            for label in nodes[node].labels {
                labelLogProbabilities[label] = nodes[node].logProbability + Double(logProbabilities[endOfSequence])
            }
            for child in nodes[node].children {
                nodes[child].logProbability = nodes[node].logProbability + Double(logProbabilities[nodes[child].token])
                next.append(child)
                parents.append(row)
            }
        }
        frontier = next
        return parents
    }

    var results: [SearchResult] { [] }
}
