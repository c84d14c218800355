import Foundation

/// The inputs of a run's entries, one at a time and in order: a file is handed on unread, a shard is read as its
/// samples are asked for (``WebDatasetSampleReader``), so that one sample is held at a time.
package struct DatasetInputReader {
    private var entries: ArraySlice<InputEntry>
    private let standardInput: () -> Data
    private var shard: (entry: InputEntry, samples: any SampleSource)?

    package init(_ entries: [InputEntry], standardInput: @escaping () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) {
        self.entries = entries[...]
        self.standardInput = standardInput
    }

    /// The next input, or nil after the last. A shard that cannot be read throws its ``ArchiveError`` (the samples
    /// before the damage were handed on); the next call goes on with the next entry.
    package mutating func next() throws -> DatasetInput? {
        while true {
            if let current = shard {
                let entry = current.entry
                do {
                    var source = current.samples
                    let sample = try source.next()
                    shard = sample == nil ? nil : (entry, source)
                    if let sample, let input = Self.input(sample, of: entry) { return input }
                    continue
                } catch {
                    shard = nil
                    throw error
                }
            }
            guard let entry = entries.popFirst() else { return nil }
            switch entry.kind {
            case .standardInput: return DatasetInput(key: entry.key, name: entry.name, source: .bytes(standardInput()))
            case .file(let path): return DatasetInput(key: entry.key, name: entry.name, source: .file(path))
            case .shard(let path, let kind): shard = (entry, try Self.samples(of: path, kind: kind))
            }
        }
    }

    /// The samples of the shard at `path`, inflated as they are read when it is gzipped.
    package static func samples(of path: InputPath, kind: FileKinds.Shard) throws -> any SampleSource {
        let file = try FileByteStream(path, label: path.printable)
        switch kind {
        case .tar: return WebDatasetSampleReader(TarReader(file, label: path.printable))
        case .gzippedTar: return WebDatasetSampleReader(TarReader(try GzipByteStream(file, label: path.printable), label: path.printable))
        }
    }

    /// The input of a sample with an image or video; nil for a sample without one.
    private static func input(_ sample: WebDatasetSample, of shard: InputEntry) -> DatasetInput? {
        guard let media = sample.media else { return nil }
        let key = PrintableName.label(sample.key)
        return DatasetInput(key: shard.key + "#" + key, name: shard.name + Array("#".utf8) + media.name, source: .bytes(media.data),
                            sample: DatasetInput.Sample(key: key, url: PrintableName.label(shard.name), json: sample.json))
    }
}

/// Where samples come from: a sample reader over any byte stream.
package protocol SampleSource {
    mutating func next() throws -> WebDatasetSample?
}

extension WebDatasetSampleReader: SampleSource {}
