/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64): the same seed gives
/// the same sequence on every platform. Sampling does not try to reproduce torch's generator; it draws from the
/// same distribution.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A token drawn with probability proportional to `probabilities` (non-negative, not all zero); a token of
    /// probability zero is never drawn.
    mutating func draw(from probabilities: [Float]) -> Int {
        let total = probabilities.reduce(0.0) { $0 + Double($1) }
        let target = Double.random(in: 0..<1, using: &self) * total
        var cumulative = 0.0
        var last = 0
        for (token, probability) in probabilities.enumerated() where probability > 0 {
            cumulative += Double(probability)
            if target < cumulative { return token }
            last = token
        }
        return last  // rounding left the target at the very end
    }
}
