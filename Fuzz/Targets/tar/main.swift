import FuzzSupport
@testable import Image2TextDatasets

/// A WebDataset tar shard, read as `image2text` reads one: member by member, grouped into samples.
func fuzzTar(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ErrorOracle.expect([ArchiveError.self], naming: "shard.tar") {
        var samples = WebDatasetSampleReader(TarReader(MemoryByteStream(input), label: "shard.tar", memberByteLimit: 1 << 20))
        var bytes = 0
        while let sample = try samples.next() { bytes += (sample.media?.data.count ?? 0) + (sample.json?.count ?? 0) }
        precondition(bytes <= input.count)
    }
    return 0
}

LibFuzzer.run(fuzzTar)
