#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the server says about itself in `INFO`.
public struct NATSServerInfo: Sendable, Equatable, Decodable {
    /// The server's unique id.
    public var serverID: String
    /// The server's configured name, if any.
    public var serverName: String?
    /// The server's version, e.g. "2.9.10".
    public var version: String
    /// The largest message (headers and payload) the server accepts.
    public var maxPayload: Int
    /// Whether the server understands headers (`HPUB`/`HMSG`).
    public var headers: Bool
    /// Whether the server requires credentials.
    public var authRequired: Bool
    /// Whether JetStream is enabled.
    public var jetStream: Bool

    private enum CodingKeys: String, CodingKey {
        case serverID = "server_id"
        case serverName = "server_name"
        case version
        case maxPayload = "max_payload"
        case headers
        case authRequired = "auth_required"
        case jetStream = "jetstream"
    }

    /// Creates an info value.
    public init(
        serverID: String,
        serverName: String? = nil,
        version: String,
        maxPayload: Int,
        headers: Bool = true,
        authRequired: Bool = false,
        jetStream: Bool = false
    ) {
        self.serverID = serverID
        self.serverName = serverName
        self.version = version
        self.maxPayload = maxPayload
        self.headers = headers
        self.authRequired = authRequired
        self.jetStream = jetStream
    }

    /// Decodes the JSON of an `INFO` operation.
    public init(json: String) throws(NATSError) {
        do {
            self = try JSONDecoder().decode(Self.self, from: Data(json.utf8))
        } catch {
            throw .protocolViolation("malformed INFO: \(error)")
        }
    }

    /// Decodes an `INFO` object; absent fields take protocol defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.serverID = try container.decodeIfPresent(String.self, forKey: .serverID) ?? ""
        self.serverName = try container.decodeIfPresent(String.self, forKey: .serverName)
        self.version = try container.decodeIfPresent(String.self, forKey: .version) ?? ""
        self.maxPayload = try container.decodeIfPresent(Int.self, forKey: .maxPayload) ?? 1_048_576
        self.headers = try container.decodeIfPresent(Bool.self, forKey: .headers) ?? false
        self.authRequired = try container.decodeIfPresent(Bool.self, forKey: .authRequired) ?? false
        self.jetStream = try container.decodeIfPresent(Bool.self, forKey: .jetStream) ?? false
    }
}
