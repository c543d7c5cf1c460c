import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

/// Decides who an admin request comes from: the `Authorization: Bearer` token is the static admin
/// token, or a JWT of the configured issuer carrying the admin role.
public struct AdminAuthenticator: Sendable {
    public let configuration: AdminAuthConfiguration
    /// The issuer's keys, when an issuer is configured.
    public let keys: OIDCKeySet?

    /// Creates the authenticator; the issuer's keys are fetched with `httpClient`.
    public init(_ configuration: AdminAuthConfiguration, httpClient: HTTPClient = .shared, logger: Logger) {
        self.configuration = configuration
        self.keys = configuration.oidc.map {
            OIDCKeySet(
                issuer: $0.issuer,
                httpClient: httpClient,
                refreshInterval: configuration.refreshInterval,
                logger: logger
            )
        }
    }

    /// The background key refresh to run beside the server, when an issuer is configured.
    public var refresher: (any Service)? {
        self.keys.map { OIDCKeyRefresher(keys: $0, interval: self.configuration.refreshInterval) }
    }

    /// The caller's identity from the `Authorization` header's value, or why it is refused.
    public func authenticate(
        authorization: String?,
        now: Date = Date()
    ) async -> Result<AdminIdentity, AdminAuthFailure> {
        guard let authorization, !authorization.isEmpty else {
            return .failure(.unauthenticated("missing Authorization: Bearer token"))
        }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .failure(.unauthenticated("the Authorization header must be \"Bearer <token>\""))
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        if let check = self.configuration.staticToken, check.matches(token) {
            return .success(.staticToken)
        }
        guard let oidc = self.configuration.oidc, let keys = self.keys else {
            return .failure(.unauthenticated("the bearer token is not the admin token"))
        }
        switch await keys.verify(token) {
        case .success(let claims): return oidc.identity(of: claims, now: now)
        case .failure(let failure): return .failure(failure)
        }
    }
}
