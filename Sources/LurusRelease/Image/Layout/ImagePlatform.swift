/// The operating system and CPU an image runs on.
public struct ImagePlatform: Sendable, Hashable {
    /// `linux`.
    public var operatingSystem: String
    /// `amd64`, `arm64`.
    public var architecture: String

    public init(operatingSystem: String, architecture: String) {
        self.operatingSystem = operatingSystem
        self.architecture = architecture
    }

    /// The nodes' platform: Debian 12 on x86-64.
    public static let linuxAMD64 = ImagePlatform(operatingSystem: "linux", architecture: "amd64")
}
