import Foundation
import Image2TextTestSupport
import Testing

/// Which model runs: `--model demo` from anywhere, the hub's default model when none is given (against the mock hub
/// on loopback), `download`, `models` and `--version`.
extension CLITests {
    /// The demo model's files served as `repository` by a mock hub.
    static func mockHub(serving repository: String) async throws -> MockHub {
        let names = try FileManager.default.contentsOfDirectory(atPath: Repository.demoModel.path)
        let files = try Dictionary(uniqueKeysWithValues: names.map {
            ($0, try Data(contentsOf: Repository.demoModel.appendingPathComponent($0)))
        })
        return try await MockHub.start([MockHub.Repository(id: repository, commit: String(repeating: "c", count: 40),
                                                           files: files, lfsFiles: ["model.safetensors"])])
    }

    /// A new empty folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cli-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("--model demo works from any folder, through PATH and through a symbolic link")
    func demoFromAnywhere() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("image2text"), withDestinationURL: Self.binary)
        let image = Repository.fixture("easyvqa/0.png").path
        let throughPath = try run(["-c", "cd \(folder.path) && image2text caption --model demo \(image)"],
                                  environment: ["PATH": "\(folder.path):/usr/bin:/bin", "IMAGE2TEXT_MODEL": ""], executable: "/bin/sh")
        #expect(throughPath.status == 0 && throughPath.stdout == "a red triangle\n", "\(throughPath.stderr)")
        let throughLink = try run(["caption", "-m", "demo", image], executable: folder.appendingPathComponent("image2text").path)
        #expect(throughLink.status == 0 && throughLink.stdout == "a red triangle\n", "\(throughLink.stderr)")
    }

    @Test("with no model given, the default comes from the hub: announced when downloaded, silent once cached")
    func defaultModelFromTheHub() async throws {
        let hub = try await Self.mockHub(serving: "microsoft/git-base-coco")
        let cache = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": cache.path, "HOME": cache.path, "IMAGE2TEXT_MODEL": ""]
        let first = try run(["caption", "Fixtures/easyvqa/0.png"], environment: environment)
        #expect(first.status == 0 && first.stdout == "a red triangle\n", "\(first.stderr)")
        #expect(first.stderr.contains("no --model given: using microsoft/git-base-coco"), "\(first.stderr)")
        #expect(first.stderr.contains("--model demo"))
        let second = try run(["caption", "Fixtures/easyvqa/0.png"], environment: environment)
        #expect(second.status == 0 && second.stdout == "a red triangle\n")
        #expect(second.stderr.isEmpty, "\(second.stderr)")
        try await hub.shutdown()
    }

    @Test("offline with nothing cached, the error names the repository, the variables and the demo model")
    func defaultModelOffline() throws {
        let cache = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        let result = try run(["caption", "Fixtures/easyvqa/0.png"],
                             environment: ["HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": cache.path, "HOME": cache.path, "IMAGE2TEXT_MODEL": ""])
        #expect(result.status == 1)
        for part in ["microsoft/git-base-coco", "HF_HUB_OFFLINE", "HF_ENDPOINT", "--model demo"] {
            #expect(result.stderr.contains(part), "\(part) missing from \(result.stderr)")
        }
    }

    @Test("download fetches into the cache and prints the snapshot; models lists it with its size")
    func downloadAndModels() async throws {
        let hub = try await Self.mockHub(serving: "image2text/tiny")
        let cache = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["HF_ENDPOINT": hub.endpoint, "HF_HUB_CACHE": cache.path, "HOME": cache.path]
        #expect(try run(["models"], environment: environment).stdout.hasPrefix("No models in \(cache.path)"))
        let download = try run(["download", "image2text/tiny"], environment: environment)
        #expect(download.status == 0, "\(download.stderr)")
        let snapshot = download.stdout.trimmingCharacters(in: .newlines)
        #expect(snapshot == cache.appendingPathComponent("models--image2text--tiny/snapshots/\(String(repeating: "c", count: 40))").path)
        #expect(FileManager.default.fileExists(atPath: snapshot + "/model.safetensors"))
        try await hub.shutdown()

        let blobs = try FileManager.default.contentsOfDirectory(atPath: cache.path + "/models--image2text--tiny/blobs")
        let bytes = try blobs.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: cache.path + "/models--image2text--tiny/blobs/" + $1)[.size] as! Int) }
        let table = try run(["models"], environment: environment)
        #expect(table.status == 0)
        #expect(table.stdout.split(separator: "\n").first?.hasPrefix("REPOSITORY") == true, "\(table.stdout)")
        #expect(table.stdout.contains("image2text/tiny") && table.stdout.contains("main"), "\(table.stdout)")
        let json = try run(["models", "--json"], environment: environment)
        let line = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(line["repository"] as? String == "image2text/tiny")
        #expect(line["size_on_disk"] as? Int == bytes)
        #expect((line["refs"] as? [String: String])?["main"] == String(repeating: "c", count: 40))

        let invalid = try run(["download", "not a repository"], environment: environment)
        #expect(invalid.status == 64 && invalid.stderr.contains("not a Hugging Face Hub repository id"), "\(invalid.stderr)")
    }

    @Test("--version prints the version, the commit and the kernels this CPU runs")
    func version() throws {
        let result = try run(["--version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        let version = try String(contentsOf: Repository.root.appendingPathComponent("VERSION"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(lines.first?.hasPrefix("image2text \(version) (commit ") == true, "\(result.stdout)")
        #expect(lines.count == 3 && lines[1].hasPrefix("kernels: ") && lines[2].hasPrefix("BLAS: "), "\(result.stdout)")
    }

    @Test("options that do nothing for a subcommand are not offered there")
    func optionsOfferedWhereTheyAct() throws {
        for (subcommand, absent) in [("tokenize", ["--dtype", "--threads", "--image-size"]), ("detokenize", ["--dtype", "--threads"]),
                                     ("preprocess", ["--dtype", "--threads"]), ("bench", ["--image-size"])] {
            let help = try run([subcommand, "--help"]).stdout
            for option in absent { #expect(!help.contains(option), "\(subcommand) offers \(option)") }
            #expect(help.contains("-m, --model"), "\(subcommand)")
        }
    }
}
