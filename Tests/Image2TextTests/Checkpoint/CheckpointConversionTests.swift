import Foundation
import Testing
@testable import Image2Text

/// `image2text convert` / ``CheckpointConversion``: the written folder loads memory-mapped in the new type and
/// computes exactly what converting at load computes; bad outputs and broken int8 files give typed errors.
@Suite struct CheckpointConversionTests {
    @Test("a converted folder equals converting at load", arguments: WeightType.allCases)
    func roundTrip(type: WeightType) throws {
        let output = try Fixtures.temporaryDirectory().appendingPathComponent("converted")
        defer { try? FileManager.default.removeItem(at: output.deletingLastPathComponent()) }
        try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: type, output: output)
        let converted = try GITModel(directory: output)
        let atLoad = try GITModel(directory: Fixtures.tinyModel, weightType: type)
        #expect(converted.weightTypes == [type])
        let sourceFiles = try FileManager.default.contentsOfDirectory(atPath: Fixtures.tinyModel.path).filter { !$0.hasSuffix(".safetensors") }
        for name in sourceFiles {
            #expect(FileManager.default.contentsEqual(atPath: Fixtures.tinyModel.appendingPathComponent(name).path,
                                                      andPath: output.appendingPathComponent(name).path), "\(name) copied")
        }
        let file = try SafetensorsFile(contentsOf: output.appendingPathComponent("model.safetensors"))
        #expect(file.metadata["image2text_weight_type"] == type.rawValue)
        let expectedOther: TensorDType = type == .float16 ? .float16 : type == .bfloat16 ? .bfloat16 : .float32
        #expect(file["git.embeddings.LayerNorm.weight"]?.dtype == expectedOther)
        #expect(file["output.weight"]?.dtype == TensorDType(type))
        #expect((file["output.weight_scale"] != nil) == (type == .int8))

        let image = try TinyModelGenerationTests.image("0.png")
        let pixels = try atLoad.imageProcessor.preprocess(image)
        let reference = try atLoad.forwardWithoutCache(pixelValues: pixels, inputIds: [2, 13, 27])
        let ours = try converted.forwardWithoutCache(pixelValues: pixels, inputIds: [2, 13, 27])
        // Matrices are bit-identical; the small tensors of an f16/bf16 folder are rounded, so allow their effect.
        let limit: Float = type == .float16 ? 1e-2 : type == .bfloat16 ? 1e-1 : 0
        let difference = zip(ours.logits.values, reference.logits.values).map { abs($0 - $1) }.max()!
        #expect(difference <= limit, "\(type): logits differ by \(difference)")
    }

    @Test("the output must be a new or empty folder, not the source")
    func refusedOutputs() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("x".utf8).write(to: directory.appendingPathComponent("note.txt"))
        #expect(throws: CheckpointError.unwritableOutput(directory, reason: "the folder exists and is not empty")) {
            try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: .int8, output: directory)
        }
        #expect(throws: CheckpointError.unwritableOutput(Fixtures.tinyModel, reason: "it is the folder being converted")) {
            try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: .int8, output: Fixtures.tinyModel)
        }
    }

    @Test("an int8 matrix needs its F32 per-row scales")
    func int8Scales() throws {
        let int8 = try Fixtures.temporaryDirectory().appendingPathComponent("int8")
        defer { try? FileManager.default.removeItem(at: int8.deletingLastPathComponent()) }
        try CheckpointConversion.convert(directory: Fixtures.tinyModel, to: .int8, output: int8)
        let weights = int8.appendingPathComponent("model.safetensors")
        let file = try SafetensorsFile(contentsOf: weights)
        let tensors = file.tensors.map { TensorData(name: $0.name, dtype: $0.dtype, shape: $0.shape, bytes: Data(file.bytes(of: $0))) }
        let scale = try #require(file["output.weight_scale"])

        try SafetensorsFile.write(tensors.filter { $0.name != scale.name }, to: weights)
        #expect(throws: CheckpointError.missingTensors(weights, names: ["output.weight_scale"])) { try GITModel(directory: int8) }

        let halfScales = TensorData(name: scale.name, dtype: .float16, shape: scale.shape, bytes: Data(count: scale.elementCount * 2))
        try SafetensorsFile.write(tensors.map { $0.name == scale.name ? halfScales : $0 }, to: weights)
        #expect(throws: CheckpointError.wrongDType(weights, tensor: scale.name, expected: "F32", actual: "F16")) { try GITModel(directory: int8) }

        let bias = try #require(file["output.bias"])
        let int8Bias = TensorData(name: bias.name, dtype: .int8, shape: bias.shape, bytes: Data(count: bias.elementCount))
        try SafetensorsFile.write(tensors.map { $0.name == bias.name ? int8Bias : $0 }, to: weights)
        #expect(throws: CheckpointError.wrongDType(weights, tensor: bias.name, expected: "F32, F16 or BF16", actual: "I8")) {
            try GITModel(directory: int8)
        }
    }
}
