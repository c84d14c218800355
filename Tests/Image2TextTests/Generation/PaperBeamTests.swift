import Foundation
import Testing
@testable import Image2Text

@Suite struct PaperBeamTests {
    @Test("the paper's decoding (beam 4, GNMT length penalty 0.6) equals the original repository's on the demo model")
    func demoModel() throws {
        try PaperBeamGolden.check("tiny", model: TinyModelGenerationTests.model, context: TinyGenerationSuiteTests.check.context)
    }
}
