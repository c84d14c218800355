import Testing
@testable import Image2Text
@Test func version() { #expect(Image2TextVersion.string == "0.1.0") }
