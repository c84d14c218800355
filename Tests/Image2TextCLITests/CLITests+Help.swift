import Foundation
import Image2Text
import Testing

/// Every subcommand's `--help` ends its description with examples.
extension CLITests {
    /// The subcommands `image2text --help` lists: the first word of each line of its SUBCOMMANDS section that is
    /// indented by two spaces (deeper lines continue an abstract).
    func subcommands() throws -> [String] {
        let help = try run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "SUBCOMMANDS:\n").last)
        return section.split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    @Test("every subcommand's --help has an Examples: section of image2text command lines")
    func helpExamples() throws {
        let subcommands = try subcommands()
        #expect(Set(["caption", "ask", "classify", "convert", "bench", "inspect", "preprocess", "tokenize", "detokenize"])
            .isSubset(of: subcommands), "\(subcommands)")
        for subcommand in subcommands {
            let help = try run([subcommand, "--help"])
            #expect(help.status == 0, "\(subcommand)")
            let examples = help.stdout.components(separatedBy: "\nExamples:\n").dropFirst().first?
                .split(separator: "\n").prefix { $0.hasPrefix("  ") } ?? []
            #expect(examples.contains { $0.hasPrefix("  image2text \(subcommand) ") }, "\(subcommand): \(help.stdout)")
        }
    }

    @Test("caption and ask have a flag for every generation option, named after it, its help naming transformers' key")
    func aFlagPerGenerationOption() throws {
        for subcommand in ["caption", "ask"] {
            let help = try run([subcommand, "--help"]).stdout.replacingOccurrences(of: "\n", with: " ")
                .replacingOccurrences(of: "  ", with: " ")
            for option in GenerationOption.all {
                let flag = "--" + option.frontEndName.replacingOccurrences(of: "_", with: "-")
                #expect(help.contains(flag) && help.contains("(\(option.name)"), "\(subcommand): \(flag)")
            }
        }
    }
}
