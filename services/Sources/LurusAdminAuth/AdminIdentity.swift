/// Who an admin request comes from, as the audit trail records it.
public struct AdminIdentity: Sendable, Hashable, CustomStringConvertible {
    /// How the caller proved who they are.
    public enum Method: String, Sendable, Hashable {
        /// The static admin token (its SHA-256 is configured).
        case staticToken = "static-token"
        /// A JWT from the configured OIDC issuer.
        case oidc
    }

    /// "static-token" for the static token; the JWT's `sub` (or `preferred_username`) otherwise.
    public var name: String
    public var method: Method

    /// Creates an identity.
    public init(name: String, method: Method) {
        self.name = name
        self.method = method
    }

    /// The identity of a caller holding the static admin token.
    public static let staticToken = AdminIdentity(name: "static-token", method: .staticToken)

    public var description: String { self.name }
}
