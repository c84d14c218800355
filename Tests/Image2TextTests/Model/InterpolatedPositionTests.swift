import Foundation
import Testing
@testable import Image2Text
import Image2TextSupport

/// The full-size PRNG checkpoint (224 px, patch 16) at other resolutions against transformers 5.23 with
/// `interpolate_pos_encoding=True` (`Fixtures/goldens/prng_resolution_model.json`, `make_resolution_goldens.py`): the
/// interpolated position tables themselves, and the model at 480 × 480 (30 × 30 patches) and at 232 × 328 (14 × 20
/// patches, 8-pixel remainders dropped). Tolerances: see ``ModelGolden``; the tables are bit-identical.
@Suite(.serialized) struct InterpolatedPositionTests {
    /// The part of the golden that ``ModelGolden`` does not read.
    struct Golden: Decodable {
        struct Table: Decodable {
            let shape: [Int]
            let sha256: String
            let rows: [String: [Float]]
            let max_abs: Float
            let class_row_is_checkpoint_row_0: Bool
            let equals_checkpoint_table: Bool
        }

        struct Processor: Decodable {
            let size: [String: Int]
            let do_center_crop: Bool
        }

        struct Case: Decodable {
            let processor: Processor
            let patch_grid: [Int]
        }

        let position_tables: [String: Table]
        let cases: [Case]
    }

    static let name = "prng_resolution_model.json"
    static let golden = Result { try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.golden(name))) }
    static let modelGolden = Result { try ModelGolden.load(name) }
    static let model = Result { try GITModel(directory: PRNGCheckpoint.folder()) }
    static let model480 = Result { try GITModel(directory: PRNGCheckpoint.folder(), imageSize: 480) }

    @Test("interpolated position tables equal transformers' bit for bit", arguments: ["30x30", "14x20", "7x5", "14x14"])
    func positionTable(grid: String) throws {
        let reference = try #require(try Self.golden.get().position_tables[grid])
        let size = grid.split(separator: "x").map { Int($0)! }
        let positions = try Self.model.get().visionTower.positions
        let table = positions.table(for: .init(rows: size[0], columns: size[1]))
        #expect([table.count / positions.width, positions.width] == reference.shape)
        let tolerance = 1e-6 * max(1, reference.max_abs)
        for (row, values) in reference.rows {
            let start = Int(row)! * positions.width
            ModelParity.compare(table[start..<start + values.count], values, tolerance: tolerance, "\(grid) row \(row)")
        }
        #expect(table.map { $0.bitPattern.littleEndian }.withUnsafeBytes { SHA256.hexDigest($0) } == reference.sha256)
        let checkpoint = UnsafeBufferPointer(start: positions.checkpointTable.pointer, count: positions.checkpointTable.count)
        #expect(reference.class_row_is_checkpoint_row_0 && Array(table.prefix(positions.width)) == Array(checkpoint.prefix(positions.width)))
        #expect(reference.equals_checkpoint_table == (table == Array(checkpoint)))
    }

    @Test("the checkpoint's own grid reads the checkpoint's table, not an interpolated copy")
    func checkpointGridIsNotInterpolated() throws {
        let positions = try Self.model.get().visionTower.positions
        let pointer = positions.withTable(rows: positions.side, columns: positions.side) { $0 }
        #expect(pointer == positions.checkpointTable.pointer)
    }

    @Test("vision tower, projection, prefill logits, greedy steps and ids match transformers", arguments: 0..<3)
    func parity(caseIndex: Int) throws {
        let golden = try Self.modelGolden.get()
        let setting = try Self.golden.get().cases[caseIndex]
        #expect(golden.cases.count == 3)
        if setting.processor.do_center_crop {
            // 480 × 480: the model's own processor, resized by `imageSize`.
            #expect(setting.processor.size == ["shortest_edge": 480] && setting.patch_grid == [30, 30])
            try ModelParity.check(golden.cases[caseIndex], model: Self.model480.get())
        } else {
            let (height, width) = (try #require(setting.processor.size["height"]), try #require(setting.processor.size["width"]))
            var configuration = try Self.model.get().imageProcessor.configuration
            configuration.size = .exact(height: height, width: width)
            configuration.doCenterCrop = false
            #expect(setting.patch_grid == [height / 16, width / 16] && (height % 16, width % 16) != (0, 0))
            try ModelParity.check(golden.cases[caseIndex], model: Self.model.get(),
                                  processor: CLIPImageProcessor(configuration: configuration))
        }
    }

    @Test("imageSize resizes the shortest edge and crops a square, keeping the checkpoint's other settings")
    func imageSizeSetsTheProcessor() throws {
        let original = try Self.model.get().imageProcessor.configuration
        let resized = try Self.model480.get().imageProcessor.configuration
        #expect(try resized == original.resized(toShortestEdge: 480))
        #expect(resized.size == .shortestEdge(480) && resized.cropSize == .init(height: 480, width: 480) && resized.doCenterCrop)
        #expect(resized.resample == original.resample && resized.imageMean == original.imageMean && resized.imageStd == original.imageStd)
        let cropped = try original.resized(toShortestEdge: 400, crop: .init(height: 384, width: 320))
        #expect(cropped.size == .shortestEdge(400) && cropped.cropSize == .init(height: 384, width: 320))
    }
}

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
