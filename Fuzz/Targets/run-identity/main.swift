import FuzzSupport
import Foundation
@testable import Image2TextDatasets

/// A run identity sidecar (`OUT.run.json`), read when a run is resumed and compared with the new run's.
func fuzzRunIdentity(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ErrorOracle.expect([RunIdentity.Failure.self], naming: "out.jsonl.run.json") {
        let identity = try RunIdentity.read(input, file: "out.jsonl.run.json")
        precondition(identity.differences(from: identity).isEmpty)
        let again = try RunIdentity.read(identity.json(), file: "out.jsonl.run.json")
        precondition(again == identity)
    }
    return 0
}

LibFuzzer.run(fuzzRunIdentity)
