import FuzzSupport
import Image2Text

/// `SafetensorsFile` on the input as a file (it reads a path): the header is parsed and every tensor's data range
/// must lie inside the file.
func fuzzSafetensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    let file = ScratchFiles.write(input, named: "model.safetensors")
    ErrorOracle.expect([CheckpointError.self], naming: file.path) {
        let weights = try SafetensorsFile(contentsOf: file)
        let dataStart = 8 + input.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        for tensor in weights.tensors {
            precondition(dataStart + tensor.dataRange.upperBound <= input.count, "\(tensor.name) reaches past the file")
            precondition(weights.bytes(of: tensor).count == tensor.dataRange.count)
            precondition(weights[tensor.name]?.dataRange == tensor.dataRange)
        }
    }
    return 0
}

LibFuzzer.run(fuzzSafetensors)
