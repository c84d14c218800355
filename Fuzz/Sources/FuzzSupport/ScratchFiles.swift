import Foundation

/// Files for the parsers that read a path: written to a per-process folder in /dev/shm (memory, so an input costs
/// no disk write) and overwritten by each input. tools/fuzz/run.sh names the parent folder in
/// `IMAGE2TEXT_FUZZ_SCRATCH` and removes it after the run, also after a crash, when no exit handler runs.
public enum ScratchFiles {
    public static let folder: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let parent = ProcessInfo.processInfo.environment["IMAGE2TEXT_FUZZ_SCRATCH"] ?? "\(base)/image2text-fuzz"
        let url = URL(fileURLWithPath: parent, isDirectory: true)
            .appendingPathComponent("\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A subfolder of ``folder`` (a checkpoint folder holding the fuzzed file and, perhaps, fixed companions).
    public static func subfolder(_ name: String) -> URL {
        let url = folder.appendingPathComponent(name, isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `data` to `name` in `folder` (default: ``folder``) and returns its URL.
    @discardableResult
    public static func write(_ data: Data, named name: String, in folder: URL = folder) -> URL {
        let url = folder.appendingPathComponent(name)
        try! data.write(to: url)
        return url
    }
}
