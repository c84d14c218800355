import Foundation
import Testing
@testable import Image2Text

/// Pickles built to exhaust the reader: deep nesting (whose release would recurse once per level), millions of
/// appends to a list or dict the memo also holds, an oversized pickle, a storage type used as a function. Each gives a
/// typed error naming the file, quickly.
@Suite struct HostilePickleTests {
    let url = URL(fileURLWithPath: "/hostile/pytorch_model.bin")

    /// The reason of the `unsupportedWeightFormat` error reading `pickle` gives, or nil if there is none.
    func refusal(_ pickle: [UInt8]) -> String? {
        do {
            _ = try pickle.withUnsafeBytes { try RestrictedUnpickler(bytes: $0, url: url).stateDict() }
        } catch CheckpointError.unsupportedWeightFormat(url, let reason) {
            return reason
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    static let depth = 100_000
    static let protocol2: [UInt8] = [0x80, 0x02]

    /// A pickle that nests 100,000 values of `kind` in one another.
    static func nested(_ kind: String) -> [UInt8] {
        let body: [UInt8] =
            switch kind {
            case "tuples": [0x4e] + Array(repeating: 0x85, count: depth)
            case "lists": Array(repeating: 0x5d, count: depth) + Array(repeating: 0x61, count: depth - 1)
            case "dicts": [0x7d] + Array(repeating: [0x4b, 0x00, 0x7d], count: depth).joined() + Array(repeating: 0x73, count: depth)
            default: Array(repeating: 0x28, count: depth) + Array(repeating: 0x74, count: depth)  // MARK … TUPLE
            }
        return protocol2 + body + [0x2e]
    }

    @Test("values nested 100,000 levels deep are refused at 32 levels", arguments: ["tuples", "lists", "dicts", "marks"])
    func deepNesting(kind: String) {
        #expect(refusal(Self.nested(kind)) == "pickle: values nested more than 32 levels deep")
    }

    @Test("a deeply nested pickle in a pytorch_model.bin is refused with the file's name")
    func deepNestingInFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("pytorch_model.bin")
        try StateDictWriter.write(pickle: Data(Self.protocol2 + [0x4e] + Array(repeating: 0x85, count: 40_000) + [0x2e]), to: file)
        #expect(throws: CheckpointError.unsupportedWeightFormat(file, reason: "pickle: values nested more than 32 levels deep")) {
            try PyTorchCheckpoint(contentsOf: file)
        }
    }

    @Test("a million APPENDs or SETITEMs to a list or dict the memo holds take linear time", arguments: ["append", "setitem"])
    func manyAppends(kind: String) {
        // A list (dict) memoized with BINPUT 0, then a million times NONE APPEND (0 NONE SETITEM).
        let (opening, item): ([UInt8], [UInt8]) = kind == "append" ? ([0x5d, 0x71, 0x00], [0x4e, 0x61]) : ([0x7d, 0x71, 0x00], [0x4b, 0x00, 0x4e, 0x73])
        let pickle = Self.protocol2 + opening + Array(repeating: item, count: 1_000_000).joined() + [0x2e]
        let clock = ContinuousClock(), start = clock.now
        #expect(refusal(pickle) == (kind == "append" ? "pickle: the pickle is not a dict" : "pickle: a state dict entry is not a name and a tensor"))
        // Copying the container at each append (10¹² element copies) would take hours; linear work takes milliseconds.
        #expect(clock.now - start < .seconds(10))
    }

    @Test("a pickle longer than a state dict needs is refused before it is read")
    func oversized() {
        let pickle = Self.protocol2 + Array(repeating: 0x4e, count: RestrictedUnpickler.maximumLength) + [0x2e]
        #expect(refusal(pickle) == "pickle: data.pkl is \(pickle.count) bytes, more than the \(RestrictedUnpickler.maximumLength) a state dict needs")
    }

    @Test("a storage type is data: calling one is refused without running it")
    func storageTypeCalled() {
        let pickle = Self.protocol2 + Array("ctorch\nLongStorage\n".utf8) + [0x29, 0x52, 0x2e]
        #expect(throws: CheckpointError.unsafePickle(url, global: "torch.LongStorage")) {
            try pickle.withUnsafeBytes { try RestrictedUnpickler(bytes: $0, url: url).stateDict() }
        }
    }

    @Test("fetching a memoized dict back from the memo is refused")
    func sharedContainer() {
        #expect(refusal(Self.protocol2 + [0x7d, 0x71, 0x00, 0x68, 0x00, 0x2e]) == "pickle: memo 0 refers back to a list or dict, which a state dict does not do")
    }
}
