import Foundation
import Hummingbird
import HummingbirdTesting
import JWTKit
import LLMWire
import LurusAdminAuth
import TestServers
import Testing

@testable import LurusProvider

/// The admin API behind an OIDC issuer (a JWKS served by a Hummingbird server the test starts): the
/// token's subject is who the audit records; a token without the admin role is refused with 403.
@Suite("Provider admin API with an OIDC issuer", .timeLimit(.minutes(2)))
struct OIDCAdminTests {
    @Test("an admin's JWT changes the catalog as its subject; a viewer's is 403; the static token still works")
    func oidcAdmin() async throws {
        let postgres = try await PostgresServerProcess.start()
        let key = ES256PrivateKey()
        let signers = JWTKeyCollection()
        await signers.add(ecdsa: key, kid: "casdoor-1")
        let parameters = try #require(key.publicKey.parameters)
        let jwks = JSONValue.object([
            "keys": [
                [
                    "kty": "EC", "crv": "P-256", "kid": "casdoor-1", "alg": "ES256", "use": "sig",
                    "x": .string(parameters.x), "y": .string(parameters.y),
                ]
            ]
        ]).serialized()
        let issuerRouter = Router()
        issuerRouter.get(".well-known/openid-configuration") { request, _ -> Response in
            let base = "http://\(request.head.authority ?? "")"
            let body = JSONValue.object(["issuer": .string(base), "jwks_uri": .string(base + "/jwks")]).serialized()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        issuerRouter.get("jwks") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: jwks))) }
        let issuerApp = Application(
            router: issuerRouter,
            configuration: .init(address: .hostname("127.0.0.1", port: 0))
        )
        try await issuerApp.test(.live) { issuerClient in
            let issuer = "http://127.0.0.1:\(try #require(issuerClient.port))"
            let settings = try TestService.settings(
                postgres: postgres,
                extra: ["admin.oidc.issuer": issuer, "admin.oidc.audience": "lurus-console"]
            )
            func token(roles: [JSONValue]) async throws -> String {
                let now = Int(Date().timeIntervalSince1970)
                return try await signers.sign(
                    OIDCClaims([
                        "iss": .string(issuer), "aud": "lurus-console", "sub": "built-in/carol",
                        "exp": .integer(now + 600), "roles": .array(roles),
                    ]),
                    kid: "casdoor-1"
                )
            }
            let admin = try await token(roles: [["name": "admin", "owner": "built-in"]])
            let viewer = try await token(roles: ["viewer"])
            try await TestService.run(settings) { service in
                try await Application(responder: service.responder).test(.router) { client in
                    let created = try await TestService.call(
                        client,
                        .post,
                        "/api/v1/providers",
                        TestService.alpha,
                        headers: [.authorization: "Bearer \(admin)", .contentType: "application/json"]
                    )
                    #expect(created.status == .created)
                    let refused = try await TestService.call(
                        client,
                        .post,
                        "/api/v1/providers",
                        TestService.alpha.merged(with: ["name": "beta"]),
                        headers: [.authorization: "Bearer \(viewer)", .contentType: "application/json"]
                    )
                    #expect(refused.status == .forbidden)
                    #expect(
                        refused.body["error"]?["message"]
                            == "the token's roles claim does not include the role \"admin\""
                    )
                    try await TestService.call(client, .patch, "/api/v1/providers/alpha", ["priority": 1])
                    let changes = try await TestService.call(client, .get, "/api/v1/changes").body["changes"]
                    #expect(changes?[0]?["who"] == "static-token")
                    #expect(changes?[1]?["who"] == "built-in/carol")
                    #expect(changes?[2] == nil, "the refused change left no row")
                }
            }
        }
    }
}
