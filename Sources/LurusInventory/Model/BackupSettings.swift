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
    /// age recipients (`age1…` public keys): when any, every object is encrypted to all of them on the
    /// node, which never holds a private key.
    public var encryptTo: [String] = []
    /// The age identity (private key) that reads encrypted backups back: given to a verify, drill or
    /// restore on stdin for the length of the run, never stored on a node.
    public var identity: SecretReference?
    /// Point-in-time recovery for PostgreSQL: WAL archived continuously from its node to the store, and a
    /// base backup with every `lurusctl backup`. On unless the inventory says `point_in_time: false`.
    public var pointInTime = true

    static let keys = ["destination", "keep_last", "max_age", "prefix", "encrypt_to", "identity", "point_in_time"]

    /// Whether `text` is an age X25519 recipient: `age1` and 58 Bech32 characters.
    public static func isAgeRecipient(_ text: String) -> Bool {
        let charset = Set("qpzry9x8gf2tvdw0s3jn54khce6mua7l")
        return text.hasPrefix("age1") && text.count == 62 && text.dropFirst(4).allSatisfy(charset.contains)
    }
}
