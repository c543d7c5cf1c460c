import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import LLMWire
import Logging
import LurusServiceKit
import NIOCore
import TestServers
import Testing

@testable import LurusProvider

/// Runs provider services against real servers the tests start, with the static admin token.
enum TestService {
    static let logger = Logger(label: "test.provider")
    static let adminToken = "test-admin-token"
    static var admin: HTTPFields { [.authorization: "Bearer \(Self.adminToken)", .contentType: "application/json"] }

    /// A file holding `secret`, for the settings that name password files.
    static func secretFile(_ secret: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("provider-test-\(UUID().uuidString)")
        try Data(secret.utf8).write(to: url)
        return url.path
    }

    static func settings(
        postgres: PostgresServerProcess,
        redis: RedisServerProcess? = nil,
        nats: NATSServerProcess? = nil,
        extra: [String: String] = [:]
    ) throws -> Settings {
        var values: [String: String] = [
            "postgres.port": "\(postgres.port)",
            "postgres.user": postgres.user,
            "postgres.database": postgres.database,
            "postgres.passwordFile": try Self.secretFile(postgres.password),
            "admin.tokenSha256": SHA256.hash(data: Array(Self.adminToken.utf8)).map { String(format: "%02x", $0) }
                .joined(),
        ]
        if let redis {
            values["redis.host"] = "127.0.0.1"
            values["redis.port"] = "\(redis.port)"
            values["redis.passwordFile"] = try Self.secretFile(redis.password)
        }
        if let nats {
            values["nats.url"] = nats.url
            values["nats.user"] = nats.user
            values["nats.passwordFile"] = try Self.secretFile(nats.password)
        }
        return Settings(values: values.merging(extra) { $1 })
    }

    /// Builds a service, runs its PostgreSQL client and background parts, migrates and applies its provision
    /// file (as its start does), runs `body`, stops.
    static func run<T: Sendable>(
        _ settings: Settings,
        _ body: @Sendable (ProviderService) async throws -> T
    ) async throws -> T {
        let configuration = try ProviderConfiguration(settings: settings)
        let service = ProviderService.build(configuration: configuration, logger: Self.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await service.postgres.run()
                return nil
            }
            for part in service.services {
                group.addTask {
                    try? await part.run()
                    return nil
                }
            }
            try await service.migrate(attempts: 3, pause: .milliseconds(300))
            try await service.provisionCatalog()
            do {
                let result = try await body(service)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// `body` decoded as JSON.
    static func json(_ buffer: ByteBuffer) throws -> JSONValue {
        try JSONValue.parse(buffer.readableBytesView)
    }

    /// Sends `value` with the admin token; returns status and JSON body (null when empty).
    @discardableResult
    static func call(
        _ client: some TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        _ value: JSONValue? = nil,
        headers: HTTPFields? = nil
    ) async throws -> (status: HTTPResponse.Status, body: JSONValue) {
        try await client.execute(
            uri: uri,
            method: method,
            headers: headers ?? Self.admin,
            body: value.map { ByteBuffer(bytes: $0.serialized()) }
        ) { response in
            (response.status, response.body.readableBytes == 0 ? .null : try Self.json(response.body))
        }
    }

    static let alpha: JSONValue = [
        "name": "alpha", "protocol": "openai", "base_url": "https://api.alpha.example/v1",
        "api_key_env": "ALPHA_KEY", "priority": 10, "weight": 2,
    ]
}
