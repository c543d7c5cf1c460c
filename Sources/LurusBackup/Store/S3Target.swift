import LurusEngine
import LurusInventory
import LurusRemote

/// The object store backups go to, as the node-side scripts need it: endpoint, bucket and region as
/// arguments (not secret), the credentials as curl's config on the script's stdin (never an argument).
public struct S3Target: Sendable {
    public var endpoint: String
    public var bucket: String
    public var region: String
    var accessKey: Secret
    var secretKey: Secret

    public init(endpoint: String, bucket: String, region: String, accessKey: Secret, secretKey: Secret) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    /// The credentials, for a run's redactor.
    public var secrets: [Secret] { [self.accessKey, self.secretKey] }

    /// The scripts' first three arguments.
    var arguments: [String] { [self.endpoint, self.bucket, self.region] }

    /// The first line of every script's stdin: `user = "KEY:SECRET"`, quoted as curl's config reads it.
    var curlConfig: [UInt8] {
        func quoted(_ bytes: [UInt8]) -> [UInt8] {
            bytes.flatMap { byte -> [UInt8] in
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): [UInt8(ascii: "\\"), byte]
                case UInt8(ascii: "\n"): Array("\\n".utf8)
                case UInt8(ascii: "\r"): Array("\\r".utf8)
                case UInt8(ascii: "\t"): Array("\\t".utf8)
                default: [byte]
                }
            }
        }
        return Array("user = \"".utf8) + quoted(self.accessKey.bytes) + [UInt8(ascii: ":")]
            + quoted(self.secretKey.bytes)
            + Array("\"\n".utf8)
    }

    /// The target the inventory's `backup.destination` names: an S3 endpoint with its credentials from
    /// their references, or the cluster's MinIO (`minioAddress`, its mesh address, with its generated root
    /// credentials and `components.minio.bucket`).
    public static func resolve(
        _ settings: BackupSettings,
        inventory: Inventory,
        secrets: SecretStore,
        minioAddress: String?
    ) async throws -> S3Target {
        switch settings.destination {
        case .s3(let s3):
            return S3Target(
                endpoint: s3.endpoint,
                bucket: s3.bucket,
                region: s3.region,
                accessKey: try await secrets.value(of: s3.accessKey, as: "backup/access_key"),
                secretKey: try await secrets.value(of: s3.secretKey, as: "backup/secret_key")
            )
        case .minio:
            guard let address = minioAddress else {
                throw BackupError(
                    "backups go to minio, whose mesh address is not known",
                    fix: "bring the mesh up with lurusctl up, or name an S3 endpoint in backup.destination"
                )
            }
            let place = self.minio(inventory, address: address)
            return S3Target(
                endpoint: place.endpoint,
                bucket: place.bucket,
                region: "us-east-1",
                accessKey: try await secrets.value(of: "minio/root-user"),
                secretKey: try await secrets.value(of: "minio/root-password")
            )
        }
    }

    /// The cluster's MinIO as backups reach it: its API on the mesh address, and its bucket. Pure.
    public static func minio(_ inventory: Inventory, address: String) -> (endpoint: String, bucket: String) {
        let minio = inventory.settings(for: .minio)
        let host = address.contains(":") ? "[\(address)]" : address
        return ("http://\(host):\(minio.port("api_port") ?? 9000)", minio["bucket"]?.description ?? "lurus-backups")
    }
}
