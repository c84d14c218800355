import FuzzSupport
@testable import Image2TextDatasets

/// A brace expression of shard names (`shards/{00000..00127}.tar`), expanded as a command-line input is. The limit
/// keeps a fuzzed range small.
func fuzzBrace(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = [UInt8](FuzzInput.bytes(start, count).prefix(256))
    do {
        let names = try BraceExpression.expand(input, limit: 10_000)
        precondition(names.count <= 10_000 && !names.isEmpty)
    } catch {
        precondition(error.offset >= 0 && error.offset < max(1, input.count))
    }
    return 0
}

LibFuzzer.run(fuzzBrace)
