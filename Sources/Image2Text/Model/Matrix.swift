/// A row-major float32 matrix of activations: one row per token. `package`: the stage benchmark passes the image
/// tokens between two stages (``GITModel/imageTokens(_:)``).
package struct Matrix: Sendable {
    let rows: Int
    let columns: Int
    var values: [Float]

    /// A matrix for a result that writes every element before anything reads it: the values are left as the
    /// allocation found them (zero-filling them first would be a serial pass over every product's output).
    init(rows: Int, columns: Int) {
        (self.rows, self.columns) = (rows, columns)
        values = [Float](unsafeUninitializedCapacity: rows * columns) { _, count in count = rows * columns }
    }

    init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "matrix values do not match \(rows)×\(columns)")
        (self.rows, self.columns, self.values) = (rows, columns, values)
    }

    /// Row `index` as an array.
    func row(_ index: Int) -> [Float] { Array(values[(index * columns)..<((index + 1) * columns)]) }

    /// The rows `range` as a new matrix.
    func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns, values: Array(values[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    /// The rows of `ranges`, one range after another, as a new matrix.
    func rows(_ ranges: [Range<Int>]) -> Matrix {
        Matrix(rows: ranges.reduce(0) { $0 + $1.count }, columns: columns,
               values: ranges.flatMap { values[($0.lowerBound * columns)..<($0.upperBound * columns)] })
    }

    /// This matrix with `other`'s rows appended.
    func appendingRows(of other: Matrix) -> Matrix {
        precondition(other.columns == columns)
        return Matrix(rows: rows + other.rows, columns: columns, values: values + other.values)
    }
}
