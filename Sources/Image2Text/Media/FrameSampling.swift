/// Which frames of a video a video checkpoint reads.
///
/// transformers' VATEX example (`sample_frame_indices` in `GitForCausalLM`'s docstring) takes
/// `clip(linspace(start, end, F), start, end − 1)` truncated to integers over a random window of `4·F` frames. Here the
/// window is the whole video, so the choice is deterministic and spans the clip: frames
/// `Int(i · n / (F − 1))` for i = 0…F−1, the last clipped to `n − 1` (n = frame count, F = frames wanted). For
/// n = 50, F = 6: 0, 10, 20, 30, 40, 49. A single frame is frame 0.
public enum FrameSampling {
    /// The indices, ascending and distinct; `nil` when `frameCount < count` (the rule then repeats frames, which no
    /// checkpoint was trained on).
    public static func indices(frameCount: Int, count: Int) -> [Int]? {
        guard count >= 1, frameCount >= count else { return nil }
        if count == 1 { return [0] }
        // numpy's linspace in float64: start + i · step, with the last point exactly `stop`.
        let step = Double(frameCount) / Double(count - 1)
        return (0..<count).map { i in
            let point = i == count - 1 ? Double(frameCount) : Double(i) * step
            return min(Int(point), frameCount - 1)
        }
    }
}
