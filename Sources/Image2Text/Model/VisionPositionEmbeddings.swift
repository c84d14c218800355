import Foundation

/// The vision tower's position embeddings for a grid of `rows × columns` patches: the checkpoint's table for its own
/// square grid, and for any other grid the table transformers 5.23 computes with `interpolate_pos_encoding=True`
/// (`GitVisionEmbeddings.interpolate_pos_encoding`): the class token's row kept, the patch rows, read as a
/// `side × side` grid, resized to `rows × columns` with torch's bicubic (``TorchBicubic``).
///
/// Interpolated tables are made on first use and kept (a few grids; one table of 30 × 30 patches is 2.8 MB for
/// git-base), so the model can stay immutable and shared: the lock guards only that store.
final class VisionPositionEmbeddings: @unchecked Sendable {
    struct Grid: Hashable {
        let rows: Int
        let columns: Int
    }

    /// The checkpoint's table, `[1 + side², width]`.
    let checkpointTable: FloatTensor
    /// Patches per side of the checkpoint's grid.
    let side: Int
    let width: Int
    /// How many interpolated grids are kept; another one replaces one of them.
    static let keptGrids = 8

    private let lock = NSLock()
    private var interpolated: [Grid: [Float]] = [:]

    init(checkpointTable: FloatTensor, side: Int, width: Int) {
        precondition(checkpointTable.count == (1 + side * side) * width, "position table shape checked at load")
        (self.checkpointTable, self.side, self.width) = (checkpointTable, side, width)
    }

    /// Calls `body` with the `[1 + rows·columns, width]` table for the grid.
    func withTable<Result>(rows: Int, columns: Int, _ body: (UnsafePointer<Float>) -> Result) -> Result {
        if rows == side && columns == side { return body(checkpointTable.pointer) }
        return table(for: Grid(rows: rows, columns: columns)).withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The interpolated table for `grid` (also for the checkpoint's own grid, where it equals the checkpoint's table).
    func table(for grid: Grid) -> [Float] {
        lock.lock()
        defer { lock.unlock() }
        if let table = interpolated[grid] { return table }
        let table = interpolate(to: grid)
        if interpolated.count >= Self.keptGrids { interpolated.remove(at: interpolated.startIndex) }
        interpolated[grid] = table
        return table
    }

    private func interpolate(to grid: Grid) -> [Float] {
        let count = (1 + grid.rows * grid.columns) * width
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let output = buffer.baseAddress!
            output.update(from: checkpointTable.pointer, count: width)
            TorchBicubic.resize(checkpointTable.pointer + width, rows: side, columns: side, channels: width,
                                toRows: grid.rows, columns: grid.columns, into: output + width)
            initialized = count
        }
    }
}
