/// `--shard auto`: this task's part, read from the variables a scheduler sets, first match wins:
/// - Slurm job arrays: `SLURM_ARRAY_TASK_ID`, counted from `SLURM_ARRAY_TASK_MIN` (0 when unset) in steps of
///   `SLURM_ARRAY_TASK_STEP` (1 when unset), of `SLURM_ARRAY_TASK_COUNT` tasks (or, when that is unset,
///   (`SLURM_ARRAY_TASK_MAX` − MIN) / STEP + 1);
/// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (set by Kubernetes) of `JOB_COMPLETIONS` tasks (Kubernetes does not
///   set it: the Job's manifest passes its `completions` in this variable);
/// - PyTorch-style launchers (torchrun, accelerate, MPI wrappers): `RANK` of `WORLD_SIZE`.
package enum SchedulerShard {
    /// The part and a sentence naming the variables it came from, for standard error.
    package struct Found: Equatable {
        package let part: ShardPart
        package let source: String
    }

    package struct Missing: Error, Equatable, CustomStringConvertible {
        package let description: String
    }

    package static func part(from environment: [String: String]) throws(Missing) -> Found {
        func number(_ name: String) throws(Missing) -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw Missing(description: "--shard auto: \(name)=\(text) is not a whole number") }
            return value
        }
        func found(_ index: Int, _ count: Int, _ names: [String]) throws(Missing) -> Found {
            let given = names.compactMap { name in environment[name].map { "\(name)=\($0)" } }.joined(separator: ", ")
            do {
                let part = try ShardPart(index: index, count: count)
                return Found(part: part, source: "--shard auto: part \(part) from \(given)")
            } catch {
                throw Missing(description: "--shard auto: \(given) give part \(index) of \(count): \(error)")
            }
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = try max(1, number("SLURM_ARRAY_TASK_STEP") ?? 1)
            let names = ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT"]
            if let count = try number("SLURM_ARRAY_TASK_COUNT") { return try found((id - minimum) / step, count, names) }
            if let maximum = try number("SLURM_ARRAY_TASK_MAX") { return try found((id - minimum) / step, (maximum - minimum) / step + 1, names) }
            throw Missing(description: "--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is")
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count = try number("JOB_COMPLETIONS") else {
                throw Missing(description: "--shard auto: JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not: pass the Job's completions in JOB_COMPLETIONS (docs/datasets.md)")
            }
            return try found(index, count, ["JOB_COMPLETION_INDEX", "JOB_COMPLETIONS"])
        }
        if let rank = try number("RANK") {
            guard let size = try number("WORLD_SIZE") else { throw Missing(description: "--shard auto: RANK is set but WORLD_SIZE is not") }
            return try found(rank, size, ["RANK", "WORLD_SIZE"])
        }
        throw Missing(description: """
            --shard auto found no scheduler variables: it reads SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT (Slurm arrays), \
            JOB_COMPLETION_INDEX with JOB_COMPLETIONS (Kubernetes Indexed Jobs) or RANK with WORLD_SIZE; give --shard I/N otherwise
            """)
    }
}
