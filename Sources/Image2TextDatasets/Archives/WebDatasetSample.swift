import Foundation

/// One sample of a WebDataset shard: the consecutive members that share a key, as WebDataset groups them. A member
/// `dir/name.ext.more` has the key `dir/name` (up to the first dot of its file name) and the suffix `ext.more`,
/// lowercased; a member whose file name has no dot, or starts with one, belongs to no sample.
package struct WebDatasetSample: Sendable {
    /// WebDataset's `__key__`.
    package let key: [UInt8]
    /// The first member whose suffix ends in an image or video extension (`jpg`, `seg.png`, …), and its full name.
    package var media: (name: [UInt8], data: Data)?
    /// The `json` member: the sample's metadata (original caption, url, …).
    package var json: Data?

    /// The key and suffix of a member name; nil when the name has none.
    package static func split(_ name: [UInt8]) -> (key: [UInt8], suffix: String)? {
        let base = (name.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 }) ?? 0
        guard let dot = name[base...].firstIndex(of: UInt8(ascii: ".")), dot > base else { return nil }
        return (Array(name[..<dot]), String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased())
    }
}

/// The samples of a tar stream, in order: members are grouped as they are read, so one sample is held at a time.
package struct WebDatasetSampleReader<Stream: ByteStream> {
    private var tar: TarReader<Stream>
    private var pending: (key: [UInt8], suffix: String, member: TarReader<Stream>.Member)?

    package init(_ tar: TarReader<Stream>) {
        self.tar = tar
    }

    /// The next sample, or nil after the last. Of two members with the same suffix in one sample, the first counts.
    package mutating func next() throws -> WebDatasetSample? {
        var sample: WebDatasetSample?
        while true {
            let next: (key: [UInt8], suffix: String, member: TarReader<Stream>.Member)
            if let waiting = pending {
                next = waiting
                pending = nil
            } else {
                guard let member = try tar.next() else { return sample }
                guard let split = WebDatasetSample.split(member.name) else { continue }
                next = (split.key, split.suffix, member)
            }
            if let current = sample, current.key != next.key {
                pending = next
                return current
            }
            var current = sample ?? WebDatasetSample(key: next.key)
            let extensionName = next.suffix.split(separator: ".").last.map(String.init) ?? ""
            if current.media == nil && FileKinds.mediaExtensions.contains(extensionName) {
                current.media = (next.member.name, next.member.data)
            } else if current.json == nil && next.suffix == "json" {
                current.json = next.member.data
            }
            sample = current
        }
    }
}
