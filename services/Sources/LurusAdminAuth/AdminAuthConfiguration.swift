import Foundation
import LurusServiceKit

/// How a service's admin API authenticates, read from its settings:
///
/// | key | environment | default |
/// |---|---|---|
/// | admin.tokenSha256 | ADMIN_TOKEN_SHA256 | none (`sha256sum` of the static admin token) |
/// | admin.oidc.issuer | ADMIN_OIDC_ISSUER | none (e.g. Casdoor's origin) |
/// | admin.oidc.audience | ADMIN_OIDC_AUDIENCE | required with an issuer (the client id) |
/// | admin.oidc.roleClaim / admin.oidc.role | ADMIN_OIDC_ROLE_CLAIM / ADMIN_OIDC_ROLE | roles / admin |
/// | admin.oidc.refreshSeconds | ADMIN_OIDC_REFRESH_SECONDS | 300 |
///
/// At least one of the two must be set: an admin API nobody can call is a mistake, not a default.
public struct AdminAuthConfiguration: Sendable, Equatable {
    /// The static token's check, when one is configured.
    public var staticToken: StaticTokenCheck?
    /// The OIDC issuer's claims check, when one is configured.
    public var oidc: OIDCClaimsCheck?
    /// How often the issuer's keys are fetched again.
    public var refreshInterval: Duration

    /// Creates a configuration.
    public init(staticToken: StaticTokenCheck?, oidc: OIDCClaimsCheck?, refreshInterval: Duration = .seconds(300)) {
        self.staticToken = staticToken
        self.oidc = oidc
        self.refreshInterval = refreshInterval
    }

    /// Reads the settings; a bad one is a `StartupError` naming it.
    public init(settings: Settings) throws(StartupError) {
        if let hex = settings.string("admin.tokenSha256") {
            guard let check = StaticTokenCheck(sha256Hex: hex) else {
                throw StartupError(
                    "setting admin.tokenSha256 (ADMIN_TOKEN_SHA256) is not a SHA-256 in hex",
                    fix: "set it to the 64 hex digits `printf %s TOKEN | sha256sum` prints"
                )
            }
            self.staticToken = check
        }
        if let issuer = try settings.url("admin.oidc.issuer") {
            guard let audience = settings.string("admin.oidc.audience") else {
                throw StartupError(
                    "admin.oidc.issuer is set but admin.oidc.audience (ADMIN_OIDC_AUDIENCE) is not",
                    fix: "set it to the client id the issuer puts in the tokens' aud claim"
                )
            }
            self.oidc = OIDCClaimsCheck(
                issuer: issuer.absoluteString,
                audience: audience,
                roleClaim: settings.string("admin.oidc.roleClaim") ?? "roles",
                role: settings.string("admin.oidc.role") ?? "admin"
            )
        }
        self.refreshInterval = .seconds(try settings.int("admin.oidc.refreshSeconds", default: 300, range: 10...86400))
        if self.staticToken == nil && self.oidc == nil {
            throw StartupError(
                "no admin authentication: neither admin.tokenSha256 (ADMIN_TOKEN_SHA256) nor admin.oidc.issuer "
                    + "(ADMIN_OIDC_ISSUER) is set",
                fix: "set the SHA-256 of an admin token, an OIDC issuer, or both"
            )
        }
    }
}
