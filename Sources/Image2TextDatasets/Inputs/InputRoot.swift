/// The folder every input of a run is keyed from: the deepest folder that holds the bases of all the arguments (a
/// directory argument itself, a file's folder, the folder part of a pattern or brace expression before its first
/// wildcard or brace), with symbolic links resolved. It depends on the arguments and not on how they are spelled
/// (`./photos`, `photos/`, an absolute path), nor on what a listing finds, so keys stay the same from run to run.
package struct InputRoot: Sendable, Equatable {
    package let path: InputPath

    /// The common folder of `bases` (absolute, resolved); `/` when they share none, the working directory's when
    /// there are none (standard input alone).
    package init(bases: [InputPath]) {
        guard var common = bases.first?.bytes.split(separator: UInt8(ascii: "/")) else {
            path = InputPath(".").resolved
            return
        }
        for base in bases.dropFirst() {
            let parts = base.bytes.split(separator: UInt8(ascii: "/"))
            let shared = zip(common, parts).prefix { pair in pair.0.elementsEqual(pair.1) }.count
            common.removeLast(common.count - shared)
        }
        path = InputPath(bytes: Array("/".utf8) + Array(common.joined(separator: [UInt8(ascii: "/")])))
    }

    /// The key of the file at `canonical` (absolute, ``InputPath/canonicalFile``): its path below the root, or the
    /// absolute path itself when a symbolic link took it elsewhere.
    package func key(of canonical: InputPath) -> String {
        canonical.relative(to: path) ?? PrintableName.label(canonical.bytes)
    }
}
