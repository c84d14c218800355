// swift-tools-version: 6.1
import PackageDescription

// No unsafeFlags anywhere: the library must stay usable as a dependency of other packages.
// Fast paths are chosen at run time; build with `-Xswiftc -target-cpu -Xswiftc haswell` for more speed.
let package = Package(
    name: "Image2Text",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Image2Text", targets: ["Image2Text"]),
        .library(name: "Image2TextDatasets", targets: ["Image2TextDatasets"]),
        .library(name: "Image2TextHub", targets: ["Image2TextHub"]),
        .library(name: "Image2TextServer", targets: ["Image2TextServer"]),
        .executable(name: "image2text", targets: ["image2text"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // swift-configuration support is left out: the server is configured by the CLI's options.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // System libraries (Debian packages installed by setup.sh). One module map + shim.h each.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CTIFF", pkgConfig: "libtiff-4", providers: [.apt(["libtiff-dev"]), .brew(["libtiff"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),

        // Weight-type kernels in C: the AVX2 + FMA + F16C variants are selected at run time (target attributes, no flags).
        .target(name: "CKernels", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        .target(
            name: "Image2TextKernels",
            dependencies: ["CKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        // No dependencies: SHA-256, NumPy's .npy files and a checkpoint folder's file names, shared by the engine and the
        // hub client.
        .target(name: "Image2TextSupport"),
        .target(
            name: "Image2Text",
            dependencies: ["Image2TextSupport", "Image2TextKernels", "CTurboJPEG", "CPNG", "CWebP", "CTIFF", "CFFmpeg"]
        ),
        // HTTP(S) requests through Foundation's URL loading system (libcurl and the system's OpenSSL on Linux): the hub
        // client's downloads and the server's URL fetching, with no TLS or HTTP/2 stack to build.
        .target(name: "Image2TextNetworking"),
        // Dataset runs: inputs found (folders, patterns, brace ranges, lists, WebDataset .tar and .tar.gz shards) and keyed,
        // parts chosen by key or from the scheduler, result records written and resumed, the run's identity and statistics.
        .target(name: "Image2TextDatasets", dependencies: ["Image2Text", "Image2TextSupport", "CZlib"]),
        // Hugging Face Hub: the huggingface_hub cache layout and downloads into it (it links no part of the engine).
        .target(name: "Image2TextHub", dependencies: ["Image2TextSupport", "Image2TextNetworking"]),
        // The HTTP server: requests in, dynamic batches through one model (side by side on the cores), JSON out.
        .target(
            name: "Image2TextServer",
            dependencies: [
                "Image2Text", "Image2TextKernels", "Image2TextNetworking", "Image2TextSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Tooling, in no product: the stage benchmark behind `image2text bench` and the machine-limit probes (sgemm,
        // memory bandwidth) it sets the stages against.
        .target(name: "Image2TextBenchmark", dependencies: ["Image2Text", "Image2TextKernels", "CKernels"]),
        .executableTarget(
            name: "image2text",
            dependencies: [
                "Image2Text", "Image2TextBenchmark", "Image2TextDatasets", "Image2TextHub", "Image2TextKernels", "Image2TextServer",
                "Image2TextSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // The version and commit `image2text --version` prints.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        // Shared by the test targets: the repository's fixtures and demo model, a mock hub, a dedicated-thread executor.
        .target(
            name: "Image2TextTestSupport",
            dependencies: [
                "Image2Text", "Image2TextSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Image2TextTestSupport"),
        .testTarget(
            name: "Image2TextKernelsTests",
            dependencies: ["Image2TextKernels"]
        ),
        .testTarget(
            name: "Image2TextSupportTests",
            dependencies: ["Image2TextSupport"]
        ),
        .testTarget(
            name: "Image2TextTests",
            dependencies: ["Image2Text", "Image2TextSupport", "Image2TextTestSupport"]
        ),
        .testTarget(
            name: "Image2TextDatasetsTests",
            dependencies: ["Image2TextDatasets", "Image2Text", "Image2TextSupport", "Image2TextTestSupport"]
        ),
        .testTarget(
            name: "Image2TextBenchmarkTests",
            dependencies: ["Image2TextBenchmark", "Image2Text"]
        ),
        .testTarget(
            name: "Image2TextHubTests",
            dependencies: [
                "Image2TextHub", "Image2Text", "Image2TextSupport", "Image2TextTestSupport",
            ]
        ),
        .testTarget(
            name: "Image2TextServerTests",
            dependencies: [
                "Image2TextServer", "Image2Text", "Image2TextKernels", "Image2TextTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "Image2TextCLITests",
            dependencies: ["image2text", "Image2Text", "Image2TextTestSupport"]
        ),
    ]
)
