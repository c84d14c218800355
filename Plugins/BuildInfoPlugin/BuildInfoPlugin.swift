import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` for the command-line tool: the version in the repository's `VERSION` file and the commit
/// it is built from (`git rev-parse`; "unknown" outside a git checkout). Runs again when either changes: the commit
/// through `.git/logs/HEAD`, which every commit, checkout and reset appends to.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo.swift")
        let history = ["HEAD", "logs/HEAD"].map { root.appendingPathComponent(".git/\($0)") }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        let script = #"""
            commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
            version=$(tr -d ' \n' < "$1/VERSION")
            printf 'enum BuildInfo {\n    static let version = "%s"\n    static let commit = "%s"\n}\n' "$version" "$commit" > "$2"
            """#
        return [
            .buildCommand(
                displayName: "Recording the version and commit of \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "build-info", root.path, output.path],
                inputFiles: history + [root.appendingPathComponent("VERSION")],
                outputFiles: [output]),
        ]
    }
}
