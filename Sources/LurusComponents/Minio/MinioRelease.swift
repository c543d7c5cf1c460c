import LurusEngine

/// The MinIO server binary of one release, from MinIO's dated archive, accepted only with its sha256.
struct MinioRelease {
    static let binaryPath = "/usr/local/bin/minio"

    /// `versions.minio`, e.g. `RELEASE.2025-01-20T14-49-07Z`.
    var version: String
    /// `components.minio.sha256`.
    var sha256: String
    /// MinIO's name for the node's platform: `linux-amd64` or `linux-arm64`.
    var platform: String

    var url: String { "https://dl.min.io/server/minio/release/\(self.platform)/archive/minio.\(self.version)" }

    /// Where the expected sha256 is published: a `.sha256sum` file beside the binary.
    var checksumURL: String { "\(self.url).sha256sum" }

    var download: Download { Download(url: self.url, sha256: self.sha256, path: Self.binaryPath) }

    /// MinIO's platform name for a node's `uname -m`, or nil when MinIO publishes no Linux binary for it.
    static func platform(forMachine machine: String) -> String? {
        switch machine {
        case "x86_64", "amd64": "linux-amd64"
        case "aarch64", "arm64": "linux-arm64"
        default: nil
        }
    }

    /// The release for the node of `context`, or an error saying what to set and where to find it.
    static func of(_ context: ComponentContext) throws -> MinioRelease {
        let version = try context.version()
        let machine = context.facts.architecture
        guard let platform = self.platform(forMachine: machine) else {
            throw context.error(
                machine.isEmpty
                    ? "this node's architecture is unknown (its facts were not read)"
                    : "MinIO publishes no Linux binary for this node's architecture \(machine)",
                hint: machine.isEmpty
                    ? "check that lurusctl can reach the node" : "place minio on an x86_64 or aarch64 node"
            )
        }
        var release = MinioRelease(version: version, sha256: context.text("sha256"), platform: platform)
        guard !release.sha256.isEmpty else {
            throw context.error(
                "components.minio.sha256 is not set: the MinIO binary is accepted only with its sha256",
                hint: "set it to the digest in \(release.checksumURL) in \(context.inventory.path)"
            )
        }
        release.sha256 = release.sha256.lowercased()
        return release
    }
}
