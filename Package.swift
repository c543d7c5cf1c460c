// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "lurusctl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lurusctl", targets: ["lurusctl"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // The executable only hands the command line to LurusCLI.
        .executableTarget(
            name: "lurusctl",
            dependencies: ["LurusCLI"]
        ),
        // Figures for the transport against the local lab: `swift run -c release lurus-bench`.
        .executableTarget(
            name: "lurus-bench",
            dependencies: [
                "LurusRemote",
                "LurusEngine",
                "LurusComponents",
                "LurusRelease",
                "LurusTestSupport",
                "lurusctl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // One file per verb; parses arguments, prints results, maps errors to exit codes.
        .target(
            name: "LurusCLI",
            dependencies: [
                "LurusInventory",
                "LurusRemote",
                "LurusEngine",
                "LurusComponents",
                "LurusProvisioning",
                "LurusRelease",
                "LurusBackup",
                "LurusHealth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The inventory model, YAML loading with source positions, and validation. No I/O but reading files.
        .target(
            name: "LurusInventory",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ]
        ),
        // The transport to a node: the system OpenSSH client with one ControlMaster per node.
        .target(
            name: "LurusRemote",
            dependencies: [
                "LurusInventory",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Desired state as data: resources, batched probes, plans, the run across nodes, lock, audit, secrets.
        // Knows nothing of any component.
        .target(
            name: "LurusEngine",
            dependencies: [
                "LurusInventory",
                "LurusRemote",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ]
        ),
        // One folder per component: pure functions from (inventory, facts) to resources, with templates.
        .target(
            name: "LurusComponents",
            dependencies: [
                "LurusInventory",
                "LurusRemote",
                "LurusEngine",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Orchestration of `plan` and `up` over the layers below: facts, units, the plan, the run under the
        // cluster operation. Prints nothing; the verbs show what it reports.
        .target(
            name: "LurusProvisioning",
            dependencies: ["LurusInventory", "LurusRemote", "LurusEngine", "LurusComponents", "LurusRelease"]
        ),
        // Backups and restores: the manifest, the bucket's layout, retention, the node-side scripts as data
        // and the runs that stream dumps from the nodes to the object store, verify and drill them.
        .target(
            name: "LurusBackup",
            dependencies: ["LurusInventory", "LurusRemote", "LurusEngine", "LurusComponents"]
        ),
        .testTarget(
            name: "LurusBackupTests",
            dependencies: ["LurusBackup", "LurusEngine", "LurusInventory", "LurusComponents", "LurusTestSupport"],
            exclude: ["Golden"]
        ),
        // `lurusctl health`: the checks as data (a node's script and the pure reading of its answer), the
        // one-round-trip probe per node under a hard deadline, and the Nagios, JSON and Prometheus reports.
        .target(
            name: "LurusHealth",
            dependencies: [
                "LurusInventory", "LurusRemote", "LurusRelease", "LurusBackup",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "LurusHealthTests",
            dependencies: ["LurusHealth", "LurusInventory", "LurusTestSupport"]
        ),
        // Shipping the bundled services: the services as data, builds and release ids, the OCI image writer,
        // the systemd and K3s runtimes, deploy / rollback / releases under the cluster operation.
        .target(
            name: "LurusRelease",
            dependencies: [
                "LurusInventory",
                "LurusRemote",
                "LurusEngine",
                "LurusComponents",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "LurusReleaseTests",
            dependencies: ["LurusRelease", "LurusInventory", "LurusTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "LurusEngineTests",
            dependencies: ["LurusEngine", "LurusTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "LurusComponentsTests",
            dependencies: [
                "LurusComponents", "LurusEngine", "LurusTestSupport", .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Golden", "Fixtures"]
        ),
        .testTarget(
            name: "LurusRemoteTests",
            dependencies: ["LurusRemote", "LurusTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "LurusInventoryTests",
            dependencies: ["LurusInventory"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LurusCLITests",
            dependencies: ["lurusctl", "LurusTestSupport"],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "LabTests",
            dependencies: ["LurusTestSupport", "LurusRemote", "LurusInventory", "LurusEngine"]
        ),
        // Helpers shared by the tests that run real processes: the repository root, the built binary.
        .target(
            name: "LurusTestSupport",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/LurusTestSupport"
        ),
    ]
)
