import Foundation
import Image2Text
import Testing
@testable import Image2TextBenchmark

@Suite struct GitConfigFLOPsTests {
    /// microsoft/git-base's sizes: a 12-layer ViT-B/16 at 224 pixels (197 tokens), a 6-layer decoder of width 768.
    static let gitBase = """
        {"hidden_size": 768, "num_hidden_layers": 6, "intermediate_size": 3072,
         "vision_config": {"hidden_size": 768, "num_hidden_layers": 12, "intermediate_size": 3072, "image_size": 224,
                           "patch_size": 16, "num_channels": 3}}
        """

    @Test("git-base's vision tower + projection and decoder prefill: the GFLOP that bench has always reported")
    func gitBase() throws {
        let config = try JSONDecoder().decode(GitConfig.self, from: Data(Self.gitBase.utf8))
        // Vision: patch embedding 2·196·(3·16·16)·768, per layer 2·197·(4·768² + 2·768·3072) + 2·2·197²·768, projection
        // 2·197·768·768.
        #expect(config.visionFLOPs == 35_358_511_104)
        // Decoder: five whole layers over the 197 tokens, then the last layer's key and value products only.
        #expect(config.decoderPrefillFLOPs(imageTokens: 197) == 15_004_326_912)
    }
}
