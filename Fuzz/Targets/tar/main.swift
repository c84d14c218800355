import FuzzSupport
@testable import Image2Text

/// A WebDataset tar shard, read as `image2text` reads one.
func fuzzTar(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ErrorOracle.expect([ArchiveError.self], naming: "shard.tar") {
        let archive = try TarArchive(input, label: "shard.tar")
        precondition(archive.members.reduce(0) { $0 + $1.data.count } <= input.count)
    }
    return 0
}

LibFuzzer.run(fuzzTar)
