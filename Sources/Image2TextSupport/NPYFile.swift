import Foundation

/// A float32 array in NumPy's `.npy` format 1.0 (little-endian `<f4`, C order), as `numpy.load` reads it.
package struct NPYFile: Sendable {
    package let shape: [Int]
    package let values: [Float]

    /// `nil` unless `values.count` is the product of `shape`.
    package init?(shape: [Int], values: [Float]) {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else { return nil }
        self.shape = shape
        self.values = values
    }

    /// The header dictionary, e.g. `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 224, 224), }`.
    package var header: String {
        let dimensions = shape.map(String.init).joined(separator: ", ")
        let tuple = shape.count == 1 ? "(\(dimensions),)" : "(\(dimensions))"
        return "{'descr': '<f4', 'fortran_order': False, 'shape': \(tuple), }"
    }

    /// Magic, version 1.0, header length, the header padded with spaces and ended by a newline so that the data
    /// starts at a multiple of 64 bytes (as NumPy writes it), then the values.
    package var data: Data {
        let prefixLength = 10  // "\x93NUMPY", major, minor, UInt16 header length
        var headerText = header
        let padding = (64 - (prefixLength + headerText.utf8.count + 1) % 64) % 64
        headerText += String(repeating: " ", count: padding) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let headerLength = UInt16(headerText.utf8.count)
        data.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        data.append(contentsOf: Array(headerText.utf8))
        values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    package func write(to url: URL) throws {
        try data.write(to: url)
    }
}
