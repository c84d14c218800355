import FuzzSupport
@testable import Image2TextDatasets

/// A gzipped WebDataset shard (`.tar.gz`), inflated with zlib as it is read, then read as a tar stream. Every member is
/// bounded, so a small input that inflates to much more is refused instead of filling the memory.
func fuzzGzipTar(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = FuzzInput.data(start, count)
    ErrorOracle.expect([ArchiveError.self], naming: "shard.tar.gz") {
        let inflated = try GzipByteStream(MemoryByteStream(input), label: "shard.tar.gz")
        var samples = WebDatasetSampleReader(TarReader(inflated, label: "shard.tar.gz", memberByteLimit: 1 << 20))
        while try samples.next() != nil {}
    }
    return 0
}

LibFuzzer.run(fuzzGzipTar)
