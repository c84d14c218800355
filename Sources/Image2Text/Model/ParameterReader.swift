import Foundation

/// Reads typed parameters out of a checked ``WeightStore``: weight matrices in `weightType` (as stored if nil),
/// everything else as float32.
struct ParameterReader {
    let store: WeightStore
    let weightType: WeightType?

    func tensor(_ name: String) throws -> FloatTensor {
        guard let tensor = store[name] else {
            throw CheckpointError.missingTensors(store.files.first?.url ?? .init(fileURLWithPath: "."), names: [name])
        }
        return FloatTensor(tensor)
    }

    func tensor(_ expected: ExpectedTensor) throws -> FloatTensor { try tensor(expected.name) }

    func matrix(_ expected: ExpectedTensor) throws -> StoredMatrix {
        guard let tensor = store[expected.name] else {
            throw CheckpointError.missingTensors(store.files.first?.url ?? .init(fileURLWithPath: "."), names: [expected.name])
        }
        return StoredMatrix(tensor, scales: store[expected.scaleName], type: weightType)
    }

    func linear(_ names: LinearNames) throws -> Linear {
        Linear(weight: try matrix(names.expected[0]), bias: try tensor(names.bias))
    }

    func layerNorm(_ names: LayerNormNames, epsilon: Double) throws -> LayerNorm {
        LayerNorm(gamma: try tensor(names.weight), beta: try tensor(names.bias), epsilon: Float(epsilon))
    }
}
