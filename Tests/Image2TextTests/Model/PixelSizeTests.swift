import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// Pixel values of any size of at least one patch each way run; others get a typed error naming pixel_values.
@Suite struct PixelSizeTests {
    static var model: GITModel { TinyModelGenerationTests.model }  // 64 px, patch 8, 3 channels

    static func pixels(_ shape: [Int]) -> PixelValues {
        PixelValues(shape: shape, values: (0..<shape.reduce(1, *)).map { Float(sin(0.37 * Double($0))) })
    }

    @Test("a height or width below the patch size", arguments: [[3, 7, 64], [3, 64, 7], [3, 0, 0]])
    func smallerThanPatch(shape: [Int]) throws {
        let error = GenerationError.pixelValuesSmallerThanPatch(height: shape[1], width: shape[2], patchSize: 8)
        #expect(throws: error) { try Self.model.encode(pixelValues: Self.pixels(shape)) }
        #expect(error.description.hasPrefix("pixel_values: a \(shape[1])×\(shape[2]) image is smaller than one 8×8 patch"))
    }

    @Test("another channel count, or not [channels, height, width]")
    func wrongChannels() throws {
        #expect(throws: GenerationError.pixelValuesShape(expected: [3, 64, 64], actual: [1, 64, 64])) {
            try Self.model.encode(pixelValues: Self.pixels([1, 64, 64]))
        }
        #expect(throws: GenerationError.pixelValuesShape(expected: [3, 64, 64], actual: [3, 64])) {
            try Self.model.encode(pixelValues: Self.pixels([3, 64]))
        }
    }

    @Test("one patch, non-square grids and grids larger than the checkpoint's give one token per patch plus the class token",
          arguments: [[3, 8, 8], [3, 20, 70], [3, 96, 64], [3, 130, 129]])
    func tokenCount(shape: [Int]) throws {
        let features = try Self.model.visionFeatures(Self.pixels(shape))
        #expect(features.rows == (shape[1] / 8) * (shape[2] / 8) + 1 && features.columns == 128)
        #expect(features.values.allSatisfy { $0.isFinite })
    }

    @Test("pixels past the last whole patch are ignored, as by the stride-patch convolution")
    func remainderIsDropped() throws {
        let large = Self.pixels([3, 70, 68])  // the checkpoint's 8 × 8 grid plus 6 and 4 pixels
        var values: [Float] = []
        for channel in 0..<3 {
            for row in 0..<64 {
                let start = (channel * 70 + row) * 68
                values += large.values[start..<start + 64]
            }
        }
        let cropped = PixelValues(shape: [3, 64, 64], values: values)
        #expect(try Self.model.visionFeatures(large).values == Self.model.visionFeatures(cropped).values)
    }

    @Test("one model shared by concurrent tasks makes each interpolated table once and gives the same features")
    func concurrentInterpolation() async throws {
        let shapes = [[3, 96, 96], [3, 40, 72], [3, 96, 96], [3, 40, 72], [3, 24, 24], [3, 96, 96]]
        let model = try GITModel(directory: Fixtures.tinyModel)  // a fresh model: no table made yet
        let results = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, shape) in shapes.enumerated() {
                group.addTask { (index, try model.visionFeatures(Self.pixels(shape)).values) }
            }
            return try await group.reduce(into: [Int: [Float]]()) { $0[$1.0] = $1.1 }
        }
        for (index, shape) in shapes.enumerated() {
            #expect(results[index] == (try Self.model.visionFeatures(Self.pixels(shape)).values), "shape \(shape)")
        }
    }
}
