import Foundation
import Image2TextTestSupport
import Testing

/// `--shard auto` under each scheduler's variables: the parts cover every input once, and stderr says what was read.
extension CLIDatasetTests {
    static let schedulers: [(name: String, environments: [[String: String]])] = [
        ("Slurm, array from 1", [["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "2"],
                                 ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "2"]]),
        ("Slurm, MAX without COUNT", [["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MAX": "1"],
                                      ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MAX": "1"]]),
        ("Kubernetes Indexed Job", [["JOB_COMPLETION_INDEX": "0", "JOB_COMPLETIONS": "2"], ["JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "2"]]),
        ("torchrun", [["RANK": "0", "WORLD_SIZE": "2"], ["RANK": "1", "WORLD_SIZE": "2"]]),
    ]

    /// The scheduler variables a test sets, cleared unless given, so that the test machine's own do not count.
    static func schedulerEnvironment(_ given: [String: String]) -> [String: String] {
        let names = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT",
                     "JOB_COMPLETION_INDEX", "JOB_COMPLETIONS", "RANK", "WORLD_SIZE"]
        return Dictionary(uniqueKeysWithValues: names.map { ($0, given[$0] ?? "") })
    }

    @Test("--shard auto: each scheduler's tasks split the inputs with none left out or done twice, and say which variables they read",
          arguments: 0..<4)
    func shardAuto(scheduler: Int) throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(at: root) }
        var keys: [String] = []
        for (task, environment) in Self.schedulers[scheduler].environments.enumerated() {
            let output = root.appendingPathComponent("part-\(task).jsonl").path
            let run = try cli.run(["caption", "--shard", "auto", "-o", output, root.path], environment: Self.schedulerEnvironment(environment))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("Note: --shard auto: part \(task)/2 from "), "\(Self.schedulers[scheduler].name): \(run.stderr)")
            keys += try records(output).compactMap { $0["key"] as? String }
            #expect(FileManager.default.fileExists(atPath: output + ".stats.json"))
        }
        #expect(keys.sorted() == ["10.png", "a/0.png", "a/b/5.png"], "\(Self.schedulers[scheduler].name)")
    }

    @Test("--shard auto without scheduler variables is a usage error naming the variables it reads")
    func shardAutoWithoutScheduler() throws {
        let run = try cli.run(["caption", "--shard", "auto", "Fixtures/easyvqa/0.png"], environment: Self.schedulerEnvironment([:]))
        #expect(run.status == 64 && run.stderr.contains("SLURM_ARRAY_TASK_ID") && run.stderr.contains("JOB_COMPLETIONS"), "\(run.stderr)")
    }
}
