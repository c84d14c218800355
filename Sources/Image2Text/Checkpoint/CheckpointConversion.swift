import Foundation
import Image2TextKernels
import Image2TextSupport

/// Writes a checkpoint folder with its weight matrices stored in another ``WeightType``: what `image2text convert`
/// does, so that a reduced-precision model loads memory-mapped, with nothing converted at load.
///
/// - Weight matrices (linear weights and word embeddings) are stored in the new type, rounded exactly as
///   `GITModel(directory:weightType:)` rounds them at load; int8 matrices get an F32 `<name>_scale` tensor beside them.
/// - Other tensors are stored as F16 or BF16 in a half-precision snapshot (a uniform checkpoint that transformers loads
///   too), else as F32.
/// - Every other file of the folder (configuration, tokenizer, processor settings) is copied unchanged.
public enum CheckpointConversion {
    /// Converts the checkpoint in `directory` to `weightType`, writing a new folder at `output`, which must not exist
    /// or be empty.
    public static func convert(directory: URL, to weightType: WeightType, output: URL) throws {
        let folder = try CheckpointFolder(directory: directory)
        try prepare(output: output, source: directory)
        let names = GitTensorNames(config: folder.config)
        let store = folder.weights
        let otherType: TensorDType = weightType == .float16 || weightType == .bfloat16 ? TensorDType(weightType) : .float32
        var tensors = [TensorData]()
        for expected in names.expected {
            guard let tensor = store[expected.name] else { continue }  // the store has checked that none is missing
            // withExtendedLifetime: the converted values live as long as their owner, not just its pointers.
            if expected.isMatrix {
                let stored = StoredMatrix(tensor, scales: store[expected.scaleName], type: weightType)
                withExtendedLifetime(stored) {
                    let matrix = stored.matrix
                    tensors.append(TensorData(name: tensor.name, dtype: TensorDType(weightType), shape: tensor.shape,
                                              bytes: Data(bytes: matrix.values, count: matrix.rows * matrix.columns * weightType.byteSize)))
                    if let scales = matrix.scales {
                        tensors.append(TensorData(name: tensor.name + "_scale", dtype: .float32, shape: [matrix.rows],
                                                  bytes: Data(bytes: scales, count: matrix.rows * 4)))
                    }
                }
            } else {
                let floats = FloatTensor(tensor)
                var bytes = Data(count: floats.count * otherType.byteSize)
                withExtendedLifetime(floats) {
                    bytes.withUnsafeMutableBytes { raw in
                        WeightMatrix.narrow(floats.pointer, rows: 1, columns: floats.count, to: otherType.weightType!,
                                            into: raw.baseAddress!, scales: nil)
                    }
                }
                tensors.append(TensorData(name: tensor.name, dtype: otherType, shape: tensor.shape, bytes: bytes))
            }
        }
        // Wider types first: every tensor then starts at a multiple of its element size, so it maps without a copy.
        tensors.sort { ($1.dtype.byteSize, $0.name) < ($0.dtype.byteSize, $1.name) }
        try SafetensorsFile.write(tensors, metadata: ["format": "pt", "image2text_weight_type": weightType.rawValue],
                                  to: output.appendingPathComponent(CheckpointFileNames.safetensors))
    }

    /// Weight files and shard indexes (safetensors, PyTorch pickles), which the conversion replaces.
    private static func isWeightFile(_ name: String) -> Bool {
        name.hasSuffix(".safetensors") || name.hasSuffix(".safetensors.index.json") || name.hasPrefix("pytorch_model")
    }

    /// Creates `output` (or checks that it is empty) and copies the files of `source` that are not weights.
    private static func prepare(output: URL, source: URL) throws {
        let manager = FileManager.default
        if output.standardizedFileURL.resolvingSymlinksInPath() == source.standardizedFileURL.resolvingSymlinksInPath() {
            throw CheckpointError.unwritableOutput(output, reason: "it is the folder being converted")
        }
        if manager.fileExists(atPath: output.path) {
            let contents = (try? manager.contentsOfDirectory(atPath: output.path)) ?? []
            guard contents.isEmpty else { throw CheckpointError.unwritableOutput(output, reason: "the folder exists and is not empty") }
        } else {
            do { try manager.createDirectory(at: output, withIntermediateDirectories: true) } catch {
                throw CheckpointError.unwritableOutput(output, reason: error.localizedDescription)
            }
        }
        for name in try manager.contentsOfDirectory(atPath: source.path).sorted() where !name.hasPrefix(".") {
            let file = source.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  !isWeightFile(name) else { continue }
            do { try manager.copyItem(at: file, to: output.appendingPathComponent(name)) } catch {
                throw CheckpointError.unwritableOutput(output.appendingPathComponent(name), reason: error.localizedDescription)
            }
        }
    }
}
