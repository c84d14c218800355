/// The questions of a questions file by input key, in file order: what each input is asked.
package struct QuestionIndex: Sendable {
    private var questions: [String: [(question: String, line: Int)]] = [:]
    /// Lines of rows that some input asked for.
    private var used = Set<Int>()
    private let lines: [Int]

    /// Rows keyed from `root`: an `image` row by its path's key (``InputRoot/key(of:)``), a `key` row as written.
    package init(_ rows: [QuestionsFile.Row], root: InputRoot) {
        for row in rows {
            let key = switch row.target {
            case .image(let path): root.key(of: path.canonicalFile)
            case .key(let key): key
            }
            questions[key, default: []].append((row.question, row.line))
        }
        lines = rows.map(\.line)
    }

    /// The questions asked of `input`: by its key, else by its sample's `__key__`; none when the file has no row for it.
    package mutating func questions(for input: DatasetInput) -> [String] {
        let rows = questions[input.key] ?? input.sample.flatMap { questions[$0.key] } ?? []
        for row in rows { used.insert(row.line) }
        return rows.map(\.question)
    }

    /// Lines of rows no input asked for so far, in order.
    package var unusedLines: [Int] { lines.filter { !used.contains($0) } }
}
