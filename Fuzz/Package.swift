// swift-tools-version: 6.1
import PackageDescription

// Coverage-guided fuzz targets for the parsers of untrusted input, kept out of the root package so that its library
// targets carry no sanitizer flags. Built and run by tools/fuzz/run.sh, which compiles every module with the address
// sanitizer, libFuzzer's coverage instrumentation and `-enable-testing` (so that `@testable import` reaches internal
// parsers), and links libFuzzer's driver. One executable per target, `fuzz-NAME`, in Targets/NAME/main.swift.

/// The targets that need only the Image2Text library.
let libraryTargets = [
    "safetensors", "pytorch", "pickle", "config", "generation-config", "preprocessor-config", "vocab", "tokenizer-json",
    "tokenizer-config", "gif", "png", "jpeg", "webp", "bmp", "tiff", "tar", "gzip-tar", "brace", "questions", "run-identity",
    "result-file",
]

let package = Package(
    name: "Image2TextFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Image2Text", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
    ],
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "Image2Text", package: "Image2Text")]),
    ] + libraryTargets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [
                "FuzzSupport", .product(name: "Image2Text", package: "Image2Text"),
                .product(name: "Image2TextDatasets", package: "Image2Text"),
            ],
            path: "Targets/\(name)"
        )
    } + [
        // The server's request fields: the only target that needs Hummingbird and NIO.
        .executableTarget(
            name: "fuzz-server",
            dependencies: [
                "FuzzSupport",
                .product(name: "Image2Text", package: "Image2Text"),
                .product(name: "Image2TextServer", package: "Image2Text"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Targets/server"
        ),
    ]
)
