/// What a parser may do with bad input: throw one of the library's typed errors (one that names the file, where the
/// target gives a name). Any other error ends the run as a finding, as a crash does.
public enum ErrorOracle {
    public static func expect(_ types: [any Error.Type], naming name: String? = nil, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            let thrown = ObjectIdentifier(type(of: error))
            guard types.contains(where: { ObjectIdentifier($0) == thrown }) else {
                fatalError("an untyped error escaped the parser: \(type(of: error)): \(error)")
            }
            if let name, !String(describing: error).contains(name) {
                fatalError("the error does not name \(name): \(error)")
            }
        }
    }
}
