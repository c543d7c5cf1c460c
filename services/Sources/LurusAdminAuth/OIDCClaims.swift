import Foundation
import JWTKit
import LLMWire

/// A JWT's claims, every one kept (the role claim's name is configured), read after jwt-kit has
/// verified the signature. The checks are ``OIDCClaimsCheck``'s, so each refusal says what failed.
public struct OIDCClaims: JWTPayload, Equatable {
    /// The claims by name.
    public var members: [String: JSONValue]

    /// Creates claims (tests sign these).
    public init(_ members: [String: JSONValue]) {
        self.members = members
    }

    public init(from decoder: any Decoder) throws {
        self.members = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.members)
    }

    /// Nothing here: ``OIDCClaimsCheck`` checks the claims once the signature is verified.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// What a verified token must say to be an admin's: pure, so every refusal is tested without keys.
public struct OIDCClaimsCheck: Sendable, Equatable {
    /// The expected `iss`.
    public var issuer: String
    /// A value `aud` must contain.
    public var audience: String
    /// The claim listing the caller's roles (`roles` by default); a dotted name reads a nested
    /// object (`realm_access.roles`).
    public var roleClaim: String
    /// The role an admin has.
    public var role: String
    /// Tolerated clock difference for `exp` and `nbf`.
    public var leeway: TimeInterval

    /// Creates a check.
    public init(
        issuer: String,
        audience: String,
        roleClaim: String = "roles",
        role: String = "admin",
        leeway: TimeInterval = 30
    ) {
        self.issuer = issuer
        self.audience = audience
        self.roleClaim = roleClaim
        self.role = role
        self.leeway = leeway
    }

    /// The caller's identity, or why the claims are refused.
    public func identity(of claims: OIDCClaims, now: Date) -> Result<AdminIdentity, AdminAuthFailure> {
        let members = claims.members
        guard let expiry = members["exp"]?.doubleValue else {
            return .failure(.unauthenticated("the token has no exp (expiry) claim"))
        }
        if now.timeIntervalSince1970 > expiry + self.leeway {
            let when = Date(timeIntervalSince1970: expiry).formatted(.iso8601)
            return .failure(.unauthenticated("the token expired at \(when)"))
        }
        if let notBefore = members["nbf"]?.doubleValue, now.timeIntervalSince1970 + self.leeway < notBefore {
            let when = Date(timeIntervalSince1970: notBefore).formatted(.iso8601)
            return .failure(.unauthenticated("the token is not valid before \(when)"))
        }
        let issuer = members["iss"]?.stringValue
        guard Self.sameIssuer(issuer, self.issuer) else {
            return .failure(
                .unauthenticated(
                    "the token's issuer is \(issuer.map { "\"\($0)\"" } ?? "missing"), not \"\(self.issuer)\""
                )
            )
        }
        let audiences = Self.strings(members["aud"])
        guard audiences.contains(self.audience) else {
            return .failure(.unauthenticated("the token's audience does not include \"\(self.audience)\""))
        }
        guard let name = members["sub"]?.stringValue ?? members["preferred_username"]?.stringValue, !name.isEmpty
        else {
            return .failure(.unauthenticated("the token has neither sub nor preferred_username"))
        }
        guard self.roles(in: members).contains(self.role) else {
            return .failure(
                .init(.forbidden, "the token's \(self.roleClaim) claim does not include the role \"\(self.role)\"")
            )
        }
        return .success(AdminIdentity(name: name, method: .oidc))
    }

    /// The roles named by the role claim: a string, strings, or objects with a `name` (Casdoor's).
    func roles(in members: [String: JSONValue]) -> [String] {
        var value: JSONValue? = .object(members)
        for part in self.roleClaim.split(separator: ".") {
            value = value?[String(part)]
        }
        guard let value else { return [] }
        if case .array(let elements) = value {
            return elements.compactMap { $0.stringValue ?? $0["name"]?.stringValue }
        }
        return Self.strings(value)
    }

    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text): [text]
        case .array(let elements): elements.compactMap(\.stringValue)
        default: []
        }
    }

    static func sameIssuer(_ presented: String?, _ expected: String) -> Bool {
        guard let presented else { return false }
        return presented.withoutTrailingSlashes == expected.withoutTrailingSlashes
    }
}

extension String {
    var withoutTrailingSlashes: String {
        var text = self
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
