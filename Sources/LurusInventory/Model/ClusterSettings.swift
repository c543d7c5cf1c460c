/// How the bundled services run.
public enum ServiceRuntime: String, Sendable, Hashable, CaseIterable {
    /// OCI images in K3s: Deployments, rollout status, rollout undo. The production default.
    case k3s
    /// A binary and a systemd unit per service on the nodes it is placed on. Small setups and the local lab.
    case systemd
}

/// Where backups go and how many are kept.
public struct BackupSettings: Sendable, Hashable {
    public enum Destination: Sendable, Hashable {
        /// The cluster's own MinIO (its `components.minio.bucket`), with generated credentials.
        case minio
        /// Any S3 API.
        case s3(S3Destination)
    }

    public struct S3Destination: Sendable, Hashable {
        public var endpoint: String
        public var bucket: String
        public var region: String
        public var accessKey: SecretReference
        public var secretKey: SecretReference
        static let keys = ["endpoint", "bucket", "region", "access_key", "secret_key"]
    }

    public var destination: Destination
    /// Backups kept per database after each run.
    public var keepLast: Int
    /// Backups older than this are removed after each run, keeping at least one.
    public var maxAge: InventoryDuration?
    /// Object key prefix, so several clusters can share a bucket.
    public var prefix: String

    static let keys = ["destination", "keep_last", "max_age", "prefix"]
}

/// Thresholds for `lurusctl health`.
public struct HealthSettings: Sendable, Hashable {
    /// Limit for each single check.
    public var timeout = InventoryDuration(milliseconds: 5_000, text: "5s")
    public var diskWarningPercent = 80
    public var diskCriticalPercent = 90
    /// A newest backup older than this is a warning.
    public var backupMaxAge = InventoryDuration(milliseconds: 26 * 3_600_000, text: "26h")
    /// Where to write the node-exporter textfile metrics, if anywhere.
    public var textfilePath: String?
    /// A dead-man's-switch URL pinged after each run; it holds a token, so it is a secret reference.
    public var pingURL: SecretReference?

    public init() {}

    static let keys = [
        "timeout", "disk_warning_percent", "disk_critical_percent", "backup_max_age", "textfile_path", "ping_url",
    ]
}
