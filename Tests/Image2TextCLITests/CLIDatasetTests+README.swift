import Foundation
import Image2TextTestSupport
import Testing

/// The README's dataset commands, run as written: the Slurm array script's command and the Kubernetes Indexed Job's,
/// over 128 one-sample shards made from the fixtures.
extension CLIDatasetTests {
    /// `root/shards/00000.tar` … `00127.tar`, one WebDataset sample each.
    func makeShardFolder(in root: URL) throws {
        let files = FileManager.default
        let staging = root.appendingPathComponent("staging")
        try files.createDirectory(at: staging, withIntermediateDirectories: true)
        try files.createDirectory(at: root.appendingPathComponent("shards"), withIntermediateDirectories: true)
        for index in 0..<128 {
            let name = String(format: "%05d", index)
            try files.copyItem(at: Repository.root.appendingPathComponent("Fixtures/easyvqa/\(index % 20 * 5).png"),
                               to: staging.appendingPathComponent(name + ".png"))
            let tar = Process()
            tar.executableURL = URL(fileURLWithPath: "/bin/tar")
            tar.arguments = ["-cf", root.appendingPathComponent("shards/\(name).tar").path, "-C", staging.path, name + ".png"]
            try tar.run()
            tar.waitUntilExit()
            try #require(tar.terminationStatus == 0)
        }
    }

    /// The line of the README that starts with `prefix`.
    func readmeLine(_ prefix: String) throws -> String {
        let readme = try String(contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        return try #require(readme.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) })
            .trimmingCharacters(in: .whitespaces)
    }

    @Test("the README's Slurm array command and Kubernetes Indexed Job command run as written, each task writing its part")
    func readmeDatasetCommands() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        try makeShardFolder(in: root)

        let slurm = try readmeLine("image2text caption --shard auto")
        #expect(slurm.hasSuffix("-o captions-$SLURM_ARRAY_TASK_ID.jsonl 'shards/{00000..00127}.tar'"), "\(slurm)")
        let script = "cd \"$1\" && exec \"$0\"" + slurm.dropFirst("image2text".count)
        let task = try CLITests().run(["-c", script, CLITests.binary.path, root.path],
                                      environment: Self.schedulerEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "16"]),
                                      executable: "/bin/sh")
        #expect(task.status == 0, "\(task.stderr)")
        let slurmOutput = root.appendingPathComponent("captions-3.jsonl").path
        let slurmKeys = try records(slurmOutput).compactMap { $0["key"] as? String }
        #expect(!slurmKeys.isEmpty && slurmKeys.allSatisfy { $0.contains(".tar#") }, "\(slurmKeys)")
        #expect(FileManager.default.fileExists(atPath: slurmOutput + ".stats.json"))

        let kubernetes = try readmeLine("command: [\"image2text\", \"caption\"")
        let data = Data(kubernetes.dropFirst("command: ".count).utf8)
        let command = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
        #expect(try readmeLine("- {name: JOB_COMPLETIONS, value: \"16\"}").isEmpty == false)
        let arguments = command.dropFirst().map {
            $0.replacingOccurrences(of: "$(JOB_COMPLETION_INDEX)", with: "3").replacingOccurrences(of: "/data/captions", with: root.path + "/job")
                .replacingOccurrences(of: "/data", with: root.path)
        }
        let job = try cli.run(Array(arguments), environment: Self.schedulerEnvironment(["JOB_COMPLETION_INDEX": "3", "JOB_COMPLETIONS": "16"]))
        #expect(job.status == 0, "\(job.stderr)")
        // The folder and the brace range name the same shards, with the same keys: part 3 is the same in both.
        let jobKeys = try records(root.appendingPathComponent("job-3.jsonl").path).compactMap { $0["key"] as? String }
        #expect(jobKeys.sorted() == slurmKeys.sorted())
    }
}
