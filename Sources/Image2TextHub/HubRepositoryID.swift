/// A model repository on the Hugging Face Hub, `ORG/NAME` (e.g. `microsoft/git-base-coco`).
public struct HubRepositoryID: Hashable, Sendable, CustomStringConvertible {
    /// The owner: a user or an organisation.
    public let owner: String
    /// The repository name.
    public let name: String

    /// Parses `ORG/NAME` with the hub's rules: letters, digits, `-`, `_`, `.`; no `--` or `..`; no leading or trailing
    /// `-` or `.`; at most 96 characters per part. Returns `nil` for anything else (including local paths such as `./x`).
    public init?(_ string: String) {
        let parts = string.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy(Self.isValidPart) else { return nil }
        owner = String(parts[0])
        name = String(parts[1])
    }

    /// `ORG/NAME`.
    public var description: String { "\(owner)/\(name)" }

    /// The repository's folder in the huggingface_hub cache: `models--ORG--NAME`.
    public var cacheFolderName: String { "models--\(owner)--\(name)" }

    private static func isValidPart(_ part: Substring) -> Bool {
        guard (1...96).contains(part.count), !part.contains("--"), !part.contains(".."),
              let first = part.first, let last = part.last,
              !"-.".contains(first), !"-.".contains(last) else { return false }
        return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
