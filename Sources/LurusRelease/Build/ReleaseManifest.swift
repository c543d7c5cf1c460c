import Foundation

/// What a release is, written beside it in the build cache and on every node it is shipped to
/// (`release.json`): `lurusctl releases` reads it back.
public struct ReleaseManifest: Codable, Sendable, Hashable {
    public var id: String
    public var configuration: String
    /// What `swift --version` printed, first line.
    public var toolchain: String
    /// The commit of the repository the services were built from, with `-dirty` when it had changes.
    public var commit: String?
    /// Seconds since 1970.
    public var builtAt: Double
    public var binaries: [Binary]

    /// One executable of the release.
    public struct Binary: Codable, Sendable, Hashable {
        public var executable: String
        /// SHA-256 (hex) and size of the binary as it runs.
        public var sha256: String
        public var bytes: Int
        /// SHA-256 (hex) and size of the gzip stream that is shipped.
        public var shippedSHA256: String
        public var shippedBytes: Int
    }

    public func binary(_ executable: String) -> Binary? { self.binaries.first { $0.executable == executable } }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array((try? encoder.encode(self)) ?? Data()) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8]) -> ReleaseManifest? {
        try? JSONDecoder().decode(ReleaseManifest.self, from: Data(bytes))
    }
}
