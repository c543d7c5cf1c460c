import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import LLMWire
import Logging
import LurusServiceKit
import Testing

@testable import LurusAdminAuth

/// The admin authenticator against a real issuer (a JWKS served over HTTP by a server the test
/// starts): every refusal says what is wrong; the static token is compared by its SHA-256.
@Suite("Admin authentication", .timeLimit(.minutes(1)))
struct AdminAuthenticatorTests {
    static let logger = Logger(label: "test.admin-auth")

    /// Runs `body` with an issuer serving its keys on a live port and an authenticator trusting it.
    static func withIssuer(
        kids: [String] = ["ec-1", "rsa-1"],
        _ body: @Sendable (TestIssuer, AdminAuthenticator) async throws -> Void
    ) async throws {
        let issuer = try await TestIssuer.make()
        await issuer.prepareSigners()
        let app = Application(router: issuer.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await issuer.publish(base: "http://127.0.0.1:\(client.port!)", kids: kids)
            let configuration = AdminAuthConfiguration(
                staticToken: StaticTokenCheck(sha256Hex: Self.sha256("s3cret-admin-token")),
                oidc: OIDCClaimsCheck(issuer: issuer.base, audience: "lurus-admin")
            )
            try await body(issuer, AdminAuthenticator(configuration, logger: Self.logger))
        }
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func refusal(_ result: Result<AdminIdentity, AdminAuthFailure>) -> AdminAuthFailure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }

    @Test("an admin's JWT, ES256 or RS256, is accepted as its subject")
    func acceptsAdminTokens() async throws {
        try await Self.withIssuer { issuer, authenticator in
            for kid in ["ec-1", "rsa-1"] {
                let token = try await issuer.token(issuer.adminClaims(), kid: kid)
                let result = await authenticator.authenticate(authorization: "Bearer \(token)")
                #expect(try result.get() == AdminIdentity(name: "alice", method: .oidc), "signed by \(kid)")
            }
            // preferred_username when there is no sub; a single-string role claim; aud as an array.
            var claims = issuer.adminClaims()
            claims["sub"] = nil
            claims["preferred_username"] = "bob"
            claims["roles"] = "admin"
            claims["aud"] = ["other", "lurus-admin"]
            let token = try await issuer.token(claims)
            #expect(try await authenticator.authenticate(authorization: "Bearer \(token)").get().name == "bob")
        }
    }

    @Test("expired, early, wrong issuer, wrong audience, missing role: each refused saying so")
    func refusesBadClaims() async throws {
        try await Self.withIssuer { issuer, authenticator in
            let now = Date()
            let cases: [(String, (inout [String: JSONValue]) -> Void, AdminAuthFailure.Kind, String)] = [
                (
                    "expired", { $0["exp"] = .integer(Int(now.timeIntervalSince1970) - 120) }, .unauthenticated,
                    "the token expired at"
                ),
                (
                    "early", { $0["nbf"] = .integer(Int(now.timeIntervalSince1970) + 600) }, .unauthenticated,
                    "the token is not valid before"
                ),
                (
                    "issuer", { $0["iss"] = "https://evil.example" }, .unauthenticated,
                    "the token's issuer is \"https://evil.example\""
                ),
                (
                    "audience", { $0["aud"] = "someone-else" }, .unauthenticated,
                    "the token's audience does not include \"lurus-admin\""
                ),
                (
                    "role", { $0["roles"] = ["viewer"] }, .forbidden,
                    "the token's roles claim does not include the role \"admin\""
                ),
                ("no exp", { $0["exp"] = nil }, .unauthenticated, "the token has no exp"),
            ]
            for (name, change, kind, message) in cases {
                var claims = issuer.adminClaims(now: now)
                change(&claims)
                let token = try await issuer.token(claims)
                let failure = try #require(
                    Self.refusal(await authenticator.authenticate(authorization: "Bearer \(token)")),
                    "\(name)"
                )
                #expect(failure.kind == kind, "\(name)")
                #expect(failure.message.hasPrefix(message), "\(name): \(failure.message)")
                #expect(!failure.message.contains(token), "the token is never echoed")
            }
        }
    }

    @Test("a bad signature and an unknown key id are refused; a key published later is fetched on its first token")
    func refusesUnknownKeysAndFetchesNewOnes() async throws {
        try await Self.withIssuer(kids: ["ec-1"]) { issuer, authenticator in
            let forged = try await issuer.token(issuer.adminClaims(), kid: "forged")
            let bad = try #require(Self.refusal(await authenticator.authenticate(authorization: "Bearer \(forged)")))
            #expect(bad.message == "the token's signature does not verify with the issuer's key \"ec-1\"")
            #expect(bad.kind == .unauthenticated)

            let unknown = try await issuer.token(issuer.adminClaims(), kid: "ec-2")
            let refused = try #require(
                Self.refusal(await authenticator.authenticate(authorization: "Bearer \(unknown)"))
            )
            #expect(refused.message == "the token's signing key (kid \"ec-2\") is not one of the issuer's keys")
            let requestsAfterUnknown = issuer.jwksRequests
            // A second unknown kid at once does not make the service ask the issuer again.
            _ = await authenticator.authenticate(authorization: "Bearer \(unknown)")
            #expect(issuer.jwksRequests == requestsAfterUnknown)

            // The issuer rotates in "ec-2": a refresh (as the refresher does) makes it known.
            try await issuer.publish(kids: ["ec-1", "ec-2"])
            await authenticator.keys?.refresh()
            #expect(try await authenticator.authenticate(authorization: "Bearer \(unknown)").get().name == "alice")
        }
    }

    @Test("the static token is accepted; a wrong one, a missing header and a non-bearer scheme are refused")
    func staticToken() async throws {
        try await Self.withIssuer { _, authenticator in
            #expect(
                try await authenticator.authenticate(authorization: "Bearer s3cret-admin-token").get() == .staticToken
            )
            let wrong = try #require(
                Self.refusal(await authenticator.authenticate(authorization: "Bearer s3cret-admin-tokeN"))
            )
            #expect(wrong.message == "the bearer token is neither the admin token nor a JWT")
            #expect(!wrong.message.contains("s3cret"))
            let missing = try #require(Self.refusal(await authenticator.authenticate(authorization: nil)))
            #expect(missing.message == "missing Authorization: Bearer token")
            let basic = try #require(Self.refusal(await authenticator.authenticate(authorization: "Basic YWRtaW4=")))
            #expect(basic.message == "the Authorization header must be \"Bearer <token>\"")
        }
        #expect(StaticTokenCheck(sha256Hex: "abc") == nil)
        #expect(StaticTokenCheck(sha256Hex: String(repeating: "g", count: 64)) == nil)
    }

    @Test("the middleware answers 401/403 with WWW-Authenticate and a JSON error, and passes the admin on")
    func middleware() async throws {
        try await Self.withIssuer { issuer, authenticator in
            let router = Router(context: AdminContext.self)
            router.add(middleware: AdminAuthMiddleware<AdminContext>(authenticator))
            router.get("whoami") { _, context in context.admin?.name ?? "nobody" }
            try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/whoami", method: .get) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    #expect(
                        String(buffer: response.body)
                            == #"{"error":{"message":"missing Authorization: Bearer token"}}"#
                    )
                }
                var claims = issuer.adminClaims()
                claims["roles"] = ["viewer"]
                let viewer = try await issuer.token(claims)
                try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(viewer)"]) {
                    response in
                    #expect(response.status == .forbidden)
                    #expect(response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true)
                }
                let admin = try await issuer.token(issuer.adminClaims())
                try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                    response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "alice")
                }
            }
        }
    }

    @Test(
        "the gateway's service token: unset is none, a bad SHA-256 is refused by name, a good one matches only its token"
    )
    func gatewayToken() throws {
        #expect(try StaticTokenCheck.gatewayToken(settings: Settings(values: [:])) == nil)
        do {
            _ = try StaticTokenCheck.gatewayToken(settings: Settings(values: ["gateway.tokenSha256": "abc"]))
            Issue.record("a bad SHA-256 was accepted")
        } catch {
            #expect(error.problem.contains("gateway.tokenSha256 (GATEWAY_TOKEN_SHA256)"))
        }
        // sha256("svc")
        let check = try #require(
            try StaticTokenCheck.gatewayToken(
                settings: Settings(values: [
                    "gateway.tokenSha256": "348c658682ae8701d3e9d21f191872491cf15e6acbb1681770b1cb787c1cf7ff"
                ])
            )
        )
        #expect(check.matches("svc") && !check.matches("svc ") && !check.matches(""))
    }

    @Test("settings: a bad SHA-256 and an issuer without an audience are refused by name; nothing set is refused")
    func configuration() throws {
        #expect(throws: StartupError.self) { try AdminAuthConfiguration(settings: Settings(values: [:])) }
        do {
            _ = try AdminAuthConfiguration(settings: Settings(values: ["admin.tokenSha256": "xyz"]))
            Issue.record("a bad SHA-256 was accepted")
        } catch {
            #expect(error.problem.contains("admin.tokenSha256"))
        }
        do {
            _ = try AdminAuthConfiguration(settings: Settings(values: ["admin.oidc.issuer": "https://id.example"]))
            Issue.record("an issuer without an audience was accepted")
        } catch {
            #expect(error.problem.contains("admin.oidc.audience"))
        }
        let configured = try AdminAuthConfiguration(
            settings: Settings(values: [
                "admin.oidc.issuer": "https://id.example", "admin.oidc.audience": "lurus",
                "admin.oidc.roleClaim": "realm_access.roles", "admin.oidc.role": "ops",
            ])
        )
        #expect(
            configured.oidc
                == OIDCClaimsCheck(
                    issuer: "https://id.example",
                    audience: "lurus",
                    roleClaim: "realm_access.roles",
                    role: "ops"
                )
        )
        // Casdoor's roles are objects with a name; Keycloak's sit under realm_access.
        let casdoor = OIDCClaimsCheck(issuer: "i", audience: "a")
        #expect(casdoor.roles(in: ["roles": .array([.object(["name": "admin", "owner": "built-in"])])]) == ["admin"])
        #expect(configured.oidc?.roles(in: ["realm_access": .object(["roles": ["ops"]])]) == ["ops"])
    }
}
