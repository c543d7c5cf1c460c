/// How `lurusctl deploy` builds and keeps the bundled services (`deploy:`).
public struct DeploySettings: Sendable, Hashable {
    /// How the services are compiled. Production deploys `release`; a lab may deploy `debug` builds,
    /// which compile in about half the time.
    public enum Build: String, Sendable, Hashable, CaseIterable {
        case release
        case debug
    }

    public var build = Build.release
    /// Releases kept per service and node; the serving one and the rollback target are never removed.
    public var keepReleases = 5
    /// How long a new release may take to answer its health check before it is given up.
    public var healthTimeout = InventoryDuration(milliseconds: 60_000, text: "60s")

    public init() {}

    static let keys = ["build", "keep_releases", "health_timeout"]
}
