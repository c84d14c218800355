import Foundation
import FuzzSupport
@testable import Image2Text

/// A `torch.save` zip checkpoint: the zip reader on the input in place (address-sanitized reads), then the whole
/// `PyTorchCheckpoint` (zip, restricted unpickler, storages) on the input as a file.
func fuzzPyTorch(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = FuzzInput.bytes(start, count)
    let label = URL(fileURLWithPath: "pytorch_model.bin")
    ErrorOracle.expect([CheckpointError.self], naming: label.path) {
        for entry in try ZipArchive(bytes, url: label).entries {
            precondition(entry.range.lowerBound >= 0 && entry.range.upperBound <= bytes.count, "\(entry.name) lies outside")
        }
    }
    let file = ScratchFiles.write(Data(bytes), named: "pytorch_model.bin")
    ErrorOracle.expect([CheckpointError.self], naming: file.path) {
        let checkpoint = try PyTorchCheckpoint(contentsOf: file)
        for tensor in checkpoint.tensors {
            precondition(checkpoint.bytes(of: tensor).count == tensor.dataRange.count)
        }
    }
    return 0
}

LibFuzzer.run(fuzzPyTorch)
