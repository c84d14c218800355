import Foundation

/// One input of a dataset run, ready to read: a file, bytes (standard input or a shard sample's image), or the frame
/// files of one video; with its stable key and, for a WebDataset sample, WebDataset's fields.
package struct DatasetInput: Sendable {
    package enum Source: Sendable {
        case file(InputPath)
        case bytes(Data)
        case frames([InputPath])
    }

    /// WebDataset's fields of a sample.
    package struct Sample: Sendable {
        /// `__key__`: the member names' common start (``WebDatasetSample``).
        package let key: String
        /// `__url__`: the shard as it was given or found.
        package let url: String
        /// The `json` member's bytes, if the sample has one.
        package let json: Data?
    }

    /// What resuming and `--shard` match on: the path below the input root (``InputRoot``), `SHARD#__key__` for a
    /// sample (SHARD being the shard's key), `-` for standard input.
    package let key: String
    /// The bytes that name the input: its path as given or found, `-`, `SHARD#MEMBER`, or the frame paths joined by
    /// spaces.
    package let name: [UInt8]
    package let source: Source
    package var sample: Sample?

    package init(key: String, name: [UInt8], source: Source, sample: Sample? = nil) {
        self.key = key
        self.name = name
        self.source = source
        self.sample = sample
    }

    /// How records name the input (`input`): the name, or its escaped form when it is not UTF-8.
    package var label: String { PrintableName.label(name) }

    /// How plain-text output and errors name the input, on one line (``PrintableName``).
    package var printableLabel: String { PrintableName.escaped(name) }
}
