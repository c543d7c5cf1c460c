import Foundation
import LurusTestSupport
import Testing

/// The lab's S3 API server (`scripts/lab s3`: moto on the control machine's bridge address) as the backup
/// tests reach it from here: signed requests with curl, the credentials on curl's stdin. moto checks no
/// checksums, so the tests read objects back and hash them themselves.
enum LabBackupStore {
    static let endpoint = "http://10.77.0.1:18901"
    static let bucket = "lurus-lab-backups"
    static let root = "lurus-lab/"
    static let secretKey = "lab-secret-key-not-checked-by-moto"

    /// Starts the server (a no-op when it answers); fails, never skips, when it cannot.
    static func start() async throws {
        let started = try await ProcessRunner.run(Repository.path("scripts/lab"), ["s3", "start"], timeout: 120)
        try #require(started.status == 0, "scripts/lab s3 start failed: \(started)")
    }

    static func curl(_ arguments: [String], timeout: Double = 60) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(
            "/usr/bin/curl",
            ["-sS", "--aws-sigv4", "aws:amz:us-east-1:s3", "-K", "-"] + arguments,
            input: Array("user = \"lab-access-key:\(Self.secretKey)\"\n".utf8),
            timeout: timeout
        )
    }

    /// Every key under `prefix` (one page is enough for the tests' few hundred keys).
    static func keys(under prefix: String = root) async throws -> [String] {
        let encoded = prefix.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? prefix
        let listing = try await Self.curl([
            "\(Self.endpoint)/\(Self.bucket)?list-type=2&max-keys=1000&prefix=\(encoded)"
        ])
        try #require(listing.status == 0, "\(listing)")
        return listing.stdout.components(separatedBy: "<Key>").dropFirst().compactMap {
            $0.components(separatedBy: "</Key>").first
        }
    }

    static func get(_ key: String, to path: String) async throws {
        let result = try await Self.curl(["-f", "-o", path, "\(Self.endpoint)/\(Self.bucket)/\(key)"])
        try #require(result.status == 0, "GET \(key): \(result)")
    }

    static func put(_ path: String, at key: String) async throws {
        let result = try await Self.curl(["-f", "-X", "PUT", "-T", path, "\(Self.endpoint)/\(Self.bucket)/\(key)"])
        try #require(result.status == 0, "PUT \(key): \(result)")
    }

    /// Removes every backup of the lab cluster, so a test starts from an empty store.
    static func clear() async throws {
        for key in try await Self.keys() {
            let result = try await Self.curl(["-f", "-X", "DELETE", "\(Self.endpoint)/\(Self.bucket)/\(key)"])
            try #require(result.status == 0, "DELETE \(key): \(result)")
        }
    }

    /// Opens a multipart upload at `key` (what a killed uploader leaves) and returns its id.
    static func openUpload(at key: String) async throws -> String {
        let result = try await Self.curl(["-f", "-X", "POST", "\(Self.endpoint)/\(Self.bucket)/\(key)?uploads"])
        try #require(result.status == 0, "\(result)")
        return try #require(
            result.stdout.components(separatedBy: "<UploadId>").dropFirst().first?.components(
                separatedBy: "</UploadId>"
            ).first,
            "\(result)"
        )
    }

    static func openUploads() async throws -> [String] {
        let result = try await Self.curl(["-f", "\(Self.endpoint)/\(Self.bucket)?uploads"])
        try #require(result.status == 0, "\(result)")
        return result.stdout.components(separatedBy: "<UploadId>").dropFirst().compactMap {
            $0.components(separatedBy: "</UploadId>").first
        }
    }
}
