import Testing
@testable import Image2TextDatasets

/// `--shard I/N` by key hash, and `--shard auto` from each scheduler's variables.
@Suite struct ShardPartTests {
    @Test("a key's part is sha256(key)[:8] big-endian modulo N, as the documented Python line computes it")
    func hashMatchesPython() {
        // int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n for n in (2, 3, 4, 7)
        #expect([2, 3, 4, 7].map { ShardPart.part(of: "0.png", count: $0) } == [0, 1, 2, 6])
        #expect([2, 3, 4, 7].map { ShardPart.part(of: "shard-000.tar#a/0", count: $0) } == [1, 0, 1, 1])
        let keys = (0..<1000).map { "img/\($0).jpg" }
        let parts = (0..<4).map { index in keys.filter { (try! ShardPart(index: index, count: 4)).contains(key: $0) } }
        #expect(parts.map(\.count).reduce(0, +) == 1000 && parts.allSatisfy { $0.count > 200 })
    }

    @Test("Slurm arrays (from 0, from 1, with a step, with MAX and no COUNT), Kubernetes Indexed Jobs, RANK/WORLD_SIZE", arguments: [
        (["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "16"], 3, 16, "SLURM_ARRAY_TASK_ID=3, SLURM_ARRAY_TASK_COUNT=16"),
        (["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"], 0, 4, "SLURM_ARRAY_TASK_MIN=1"),
        (["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_STEP": "2", "SLURM_ARRAY_TASK_COUNT": "5"], 3, 5, "STEP=2"),
        (["SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "8"], 7, 8, "SLURM_ARRAY_TASK_MAX=8"),
        (["JOB_COMPLETION_INDEX": "2", "JOB_COMPLETIONS": "3", "RANK": "0", "WORLD_SIZE": "9"], 2, 3, "JOB_COMPLETION_INDEX=2, JOB_COMPLETIONS=3"),
        (["RANK": "5", "WORLD_SIZE": "8"], 5, 8, "RANK=5, WORLD_SIZE=8"),
    ])
    func scheduler(environment: [String: String], index: Int, count: Int, named: String) throws {
        let found = try SchedulerShard.part(from: environment)
        #expect(found.part == (try ShardPart(index: index, count: count)))
        #expect(found.source.hasPrefix("--shard auto: part \(index)/\(count) from ") && found.source.contains(named), "\(found.source)")
    }

    @Test("no variables, an index without its count, a bad number or an index past the count: errors that say what to set", arguments: [
        ([:], "found no scheduler variables"), (["JOB_COMPLETION_INDEX": "0"], "JOB_COMPLETIONS is not"),
        (["SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"], "SLURM_ARRAY_TASK_ID=x is not a whole number"),
        (["RANK": "4", "WORLD_SIZE": "4"], "give part 4 of 4"), (["RANK": "1"], "WORLD_SIZE is not"),
    ])
    func missing(environment: [String: String], message: String) {
        #expect { try SchedulerShard.part(from: environment) } throws: { "\($0)".contains(message) }
    }
}
