import Foundation
import Hummingbird

/// Why an admin request is refused, said so that the caller can act on it; never contains the token.
public struct AdminAuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401 (who are you?) or 403 (you may not).
    public enum Kind: Sendable, Equatable {
        /// No usable credentials: missing, malformed, expired, from another issuer, not verifiable.
        case unauthenticated
        /// A valid token without the admin role.
        case forbidden
        /// The issuer's keys could not be fetched: the caller cannot be checked now (503).
        case unavailable
    }

    public var kind: Kind
    /// What is wrong, for a person.
    public var message: String

    /// Creates a failure.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// 401 with `message`.
    public static func unauthenticated(_ message: String) -> AdminAuthFailure { .init(.unauthenticated, message) }

    public var description: String { self.message }

    /// The HTTP status of the refusal.
    public var status: HTTPResponse.Status {
        switch self.kind {
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .unavailable: .serviceUnavailable
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750), with the error code for a rejected token.
    public var challenge: String {
        switch self.kind {
        case .unauthenticated: "Bearer realm=\"lurus-admin\", error=\"invalid_token\""
        case .forbidden: "Bearer realm=\"lurus-admin\", error=\"insufficient_scope\""
        case .unavailable: "Bearer realm=\"lurus-admin\""
        }
    }

    /// The refusal as a response: the status, the challenge and `{"error":{"message":…}}`.
    public func response() -> Response {
        let body: [String: Any] = ["error": ["message": self.message]]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(
            status: self.status,
            headers: [.contentType: "application/json", .wwwAuthenticate: self.challenge],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
