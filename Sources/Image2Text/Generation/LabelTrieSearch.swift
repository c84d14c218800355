import Foundation

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
