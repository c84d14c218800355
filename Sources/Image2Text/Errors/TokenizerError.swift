import Foundation

/// A tokenizer that cannot be loaded (missing or malformed vocabulary, special token not in it, unsupported
/// tokenizer.json model) or asked to decode an id it does not know.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The vocabulary file does not exist.
    case missingVocabulary(URL)
    /// The checkpoint folder has neither `tokenizer.json` nor `vocab.txt`.
    case missingTokenizerFiles(folder: URL)
    /// The vocabulary file cannot be read or is not UTF-8.
    case unreadableVocabulary(URL, reason: String)
    /// The vocabulary file has no entries.
    case emptyVocabulary(URL)
    /// A configured special token (`role` is the config key, e.g. `unk_token`) has no id in the vocabulary.
    case missingSpecialToken(URL, role: String, token: String)
    /// A `tokenizer.json` vocabulary entry has an id that is negative or already taken.
    case invalidVocabularyEntry(URL, token: String, id: Int, reason: String)
    /// `tokenizer.json` describes another model than WordPiece.
    case unsupportedModel(URL, expected: String, found: String)
    /// `decode` was given an id that names no token.
    case unknownTokenId(Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case .missingVocabulary(let url):
            "\(url.path): vocabulary file not found"
        case .missingTokenizerFiles(let folder):
            "\(folder.path): no tokenizer found (expected tokenizer.json or vocab.txt)"
        case .unreadableVocabulary(let url, let reason):
            "\(url.path): cannot read the vocabulary: \(reason)"
        case .emptyVocabulary(let url):
            "\(url.path): the vocabulary is empty"
        case .missingSpecialToken(let url, let role, let token):
            "\(url.path): \(role) '\(token)' is not in the vocabulary"
        case .invalidVocabularyEntry(let url, let token, let id, let reason):
            "\(url.path): vocabulary entry '\(token)' has id \(id): \(reason)"
        case .unsupportedModel(let url, let expected, let found):
            "\(url.path): key 'model.type' should be \(expected), found \(found)"
        case .unknownTokenId(let id, let vocabularySize):
            "token id \(id) is not in the vocabulary (\(vocabularySize) tokens)"
        }
    }
}
