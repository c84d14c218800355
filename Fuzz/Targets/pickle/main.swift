import Foundation
import FuzzSupport
@testable import Image2Text

/// The restricted unpickler on the input as a state dict's `data.pkl`, in place (address-sanitized reads).
func fuzzPickle(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzInput.bytes(start, count)
    let label = URL(fileURLWithPath: "archive/data.pkl")
    ErrorOracle.expect([CheckpointError.self], naming: label.path) {
        for reference in try RestrictedUnpickler(bytes: bytes, url: label).stateDict() {
            precondition(reference.storageOffset >= 0 && reference.shape.allSatisfy { $0 >= 0 })
        }
    }
    return 0
}

LibFuzzer.run(fuzzPickle)
