import ArgumentParser

/// `--json` and `--stream`, shared by `caption` and `ask` (`classify` takes `--json` alone).
struct OutputFlags: ParsableArguments {
    @Flag(help: "Print one JSON object per input and line.")
    var json = false

    @Flag(help: "Print the text as it is generated (greedy or sampling, one sequence).")
    var stream = false

    func validate() throws {
        if json && stream { throw ValidationError("--stream prints plain text; leave out --json") }
    }
}
