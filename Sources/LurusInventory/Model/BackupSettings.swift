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
    /// A folder in the bucket above the cluster's own (`PREFIX/CLUSTER/ID/…`); empty by default.
    public var prefix: String

    static let keys = ["destination", "keep_last", "max_age", "prefix"]
}
