import Foundation
import Testing
@testable import Image2TextDatasets

/// WebDataset's grouping: consecutive members sharing the name up to the first dot of the file name form a sample.
@Suite struct WebDatasetSampleTests {
    @Test("key and suffix as WebDataset splits a member name")
    func split() {
        func parts(_ name: String) -> [String]? {
            WebDatasetSample.split(Array(name.utf8)).map { [String(decoding: $0.key, as: UTF8.self), $0.suffix] }
        }
        #expect(parts("dir/000123.jpg") == ["dir/000123", "jpg"])
        #expect(parts("a.b/x.seg.PNG") == ["a.b/x", "seg.png"])
        #expect(parts("noext") == nil)
        #expect(parts("dir/.hidden") == nil)
    }

    @Test("samples in order, each with its first image and its json; a sample without an image still counts as one")
    func grouping() throws {
        let tar = TarReaderTests.member("a/000.jpg", [1]) + TarReaderTests.member("a/000.json", Array(#"{"url":"u"}"#.utf8))
            + TarReaderTests.member("a/000.seg.png", [2]) + TarReaderTests.member("a/001.txt", [3])
            + TarReaderTests.member("a/002.json", [4]) + TarReaderTests.member("a/002.webp", [5]) + TarReaderTests.end
        var reader = WebDatasetSampleReader(TarReader(MemoryByteStream(tar), label: "s.tar"))
        var samples: [WebDatasetSample] = []
        while let sample = try reader.next() { samples.append(sample) }
        #expect(samples.map { String(decoding: $0.key, as: UTF8.self) } == ["a/000", "a/001", "a/002"])
        #expect(samples.map { $0.media.map { String(decoding: $0.name, as: UTF8.self) } } == ["a/000.jpg", nil, "a/002.webp"])
        #expect(samples[0].json == Data(#"{"url":"u"}"#.utf8) && samples[2].json == Data([4]))
    }
}
