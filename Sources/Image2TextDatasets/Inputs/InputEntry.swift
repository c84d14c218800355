/// One input of a run as found, before any file is read: its key is known, its content is not.
package struct InputEntry: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// One image read from standard input; its key is `-`.
        case standardInput
        /// An image or video file.
        case file(InputPath)
        /// A WebDataset shard: its samples are the inputs.
        case shard(InputPath, FileKinds.Shard)
    }

    package let kind: Kind
    /// The path relative to the run's input root (``InputRoot``): the same however the command line spells it.
    package let key: String

    /// How messages and the `input` field name the entry: the path as given or found.
    package var name: [UInt8] {
        switch kind {
        case .standardInput: Array("-".utf8)
        case .file(let path), .shard(let path, _): path.bytes
        }
    }

    package var printableName: String { PrintableName.escaped(name) }
}
