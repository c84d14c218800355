import Image2TextSupport

/// Part `index` of `count` (0 ≤ index < count): the inputs whose key hashes to `index`. The hash is the first 8 bytes of
/// the key's SHA-256 (UTF-8), read big-endian, modulo `count`, so a key stays in its part however the listing around it
/// changes (files added, another order, another spelling of the paths); in Python:
/// `int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % count`.
package struct ShardPart: Sendable, Equatable, CustomStringConvertible {
    package let index: Int
    package let count: Int

    package struct Invalid: Error, Equatable, CustomStringConvertible {
        package let description: String
    }

    package init(index: Int, count: Int) throws(Invalid) {
        guard count >= 1 else { throw Invalid(description: "N is the number of parts: at least 1, got \(count)") }
        guard (0..<count).contains(index) else {
            throw Invalid(description: "parts count from 0: part I of \(count) is 0 to \(count - 1) (0 ≤ I < N), got \(index)")
        }
        (self.index, self.count) = (index, count)
    }

    /// `I/N`.
    package init(parsing argument: String) throws(Invalid) {
        let parts = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw Invalid(description: "give part I of N as I/N, two whole numbers with 0 ≤ I < N (parts count from 0), e.g. 0/4, or auto")
        }
        try self.init(index: index, count: count)
    }

    package var description: String { "\(index)/\(count)" }

    /// Whether the input with `key` belongs to this part.
    package func contains(key: String) -> Bool {
        Self.part(of: key, count: count) == index
    }

    /// The part of `count` that `key` belongs to.
    package static func part(of key: String, count: Int) -> Int {
        let digest = Array(key.utf8).withUnsafeBytes { SHA256.digest($0) }
        let prefix = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(prefix % UInt64(count))
    }
}
