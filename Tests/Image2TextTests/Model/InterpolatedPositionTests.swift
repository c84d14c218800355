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
