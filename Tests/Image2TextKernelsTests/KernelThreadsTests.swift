import Dispatch
import Synchronization
import Testing
import Image2TextKernels

/// The kernel threads' pool: every part runs exactly once, nested runs and runs from several threads at once complete.
@Suite struct KernelThreadsTests {
    /// Counts how often each part ran.
    final class Tally: Sendable {
        let counts: Mutex<[Int]>
        init(_ parts: Int) { counts = Mutex([Int](repeating: 0, count: parts)) }
        func record(_ part: Int) { counts.withLock { $0[part] += 1 } }
        var eachOnce: Bool { counts.withLock { $0.allSatisfy { $0 == 1 } } }
    }

    @Test("each part runs exactly once, run after run")
    func eachPartOnce() {
        for parts in [0, 1, 2, 3, 7, 64, 1000] {
            for _ in 0..<(parts < 100 ? 2000 : 50) {
                let tally = Tally(parts)
                KernelThreads.run(parts: parts) { tally.record($0) }
                #expect(tally.eachOnce, "\(parts) parts")
            }
        }
    }

    @Test("a run inside a part runs its parts on that thread, one after another")
    func nested() {
        let tallies = (0..<8).map { _ in Tally(5) }, inside = Tally(8)
        KernelThreads.run(parts: 8) { outer in
            if KernelThreads.available == 1 { inside.record(outer) }
            KernelThreads.run(parts: 5) { tallies[outer].record($0) }
        }
        #expect(tallies.allSatisfy { $0.eachOnce } && inside.eachOnce)
    }

    @Test("runs started from several threads at once all complete")
    func concurrentCallers() {
        let tallies = (0..<4 * 300).map { _ in Tally(6) }
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for run in 0..<300 { KernelThreads.run(parts: 6) { tallies[caller * 300 + run].record($0) } }
        }
        #expect(tallies.allSatisfy { $0.eachOnce })
    }

    @Test("per-thread scratch keeps its size and alignment")
    func scratch() {
        let good = Tally(16)
        KernelThreads.run(parts: 16) { part in
            let buffer = KernelThreads.scratch(1000 + part * 100)
            buffer.update(repeating: Float(part), count: 1000 + part * 100)
            if Int(bitPattern: buffer) % 64 == 0 && buffer[999 + part * 100] == Float(part) { good.record(part) }
        }
        #expect(good.eachOnce)
    }
}
