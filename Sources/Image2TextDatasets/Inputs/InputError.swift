/// A one-line error naming the input it concerns, printed by ArgumentParser as "Error: PATH: problem" (exit status 1).
package struct InputError: Error, CustomStringConvertible, Equatable {
    package let path: String
    package let message: String

    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    package var description: String { "\(path): \(message)" }
}
