import Foundation
import Testing
@testable import Image2Text

/// One model serves many tasks at once.
@Suite struct ConcurrentUseTests {
    @Test("captions and answers from concurrent tasks equal the sequential ones")
    func concurrentTasks() async throws {
        let model = TinyModelGenerationTests.model
        let names = (0..<16).map { "\($0 * 5).png" }
        let sequential = try names.map { try model.caption(TinyModelGenerationTests.image($0)).ids }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (index, name) in names.enumerated() {
                group.addTask { (index, try model.caption(TinyModelGenerationTests.image(name)).ids) }
            }
            var results = [[Int]](repeating: [], count: names.count)
            for try await (index, ids) in group { results[index] = ids }
            return results
        }
        #expect(concurrent == sequential)
    }
}
