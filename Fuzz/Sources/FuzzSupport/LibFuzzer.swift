import CLibFuzzer
import Foundation

/// The entry point of every target. SwiftPM links an executable's `main` to its module's top-level code, so libFuzzer
/// is linked without its own `main` and the target's top-level code hands the process to libFuzzer's driver.
public enum LibFuzzer {
    /// The signature of `LLVMFuzzerTestOneInput`: the input's bytes; 0, or -1 to keep the input out of the corpus.
    public typealias Test = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ test: Test) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, test))
    }
}
