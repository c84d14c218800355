import FuzzSupport
import Foundation
@testable import Image2TextDatasets

/// An output file read to resume a run: JSON Lines, CSV and TSV records.
func fuzzResultFile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    for format in RecordFormat.allCases {
        ErrorOracle.expect([ResumeIndex.BadLine.self], naming: "out") {
            let index = try ResumeIndex(input, format: format, file: "out", ignoringBadLines: format == .tsv)
            precondition(index.wholeLength <= input.count && index.failedRanges.allSatisfy { $0.upperBound <= index.wholeLength })
        }
    }
    return 0
}

LibFuzzer.run(fuzzResultFile)
