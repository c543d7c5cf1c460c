import Foundation
import Hummingbird
import JWTKit
import LLMWire
import Synchronization
import TestServers

@testable import LurusAdminAuth

/// An OIDC issuer for the tests (it stands for Casdoor or any other): a discovery document and a
/// JWKS served by a small Hummingbird server, and the private keys that sign the tests' tokens.
final class TestIssuer: Sendable {
    /// What the server serves; the base URL is known once it listens.
    let served = Mutex<(base: String, jwks: String, jwksRequests: Int)>(("", "{\"keys\":[]}", 0))
    /// Signs with the keys the JWKS lists (ES256 "ec-1", RS256 "rsa-1") and with others it does not.
    let signers = JWTKeyCollection()
    /// Another ES256 key that claims to be "ec-1".
    let forger = JWTKeyCollection()
    let ecKey = ES256PrivateKey()
    let rsaKey: Insecure.RSA.PrivateKey

    private init(rsaKey: Insecure.RSA.PrivateKey) {
        self.rsaKey = rsaKey
    }

    /// An issuer with the suite's one RSA key: made once, off Swift concurrency's pool (a 2048-bit
    /// key takes long enough in a debug build to starve other suites' NATS handshakes on 2 threads).
    static func make() async throws -> TestIssuer {
        TestIssuer(rsaKey: try await RSAKeyCache.shared.key())
    }

    var base: String { self.served.withLock { $0.base } }
    var jwksRequests: Int { self.served.withLock { $0.jwksRequests } }

    /// The router: discovery at `/.well-known/openid-configuration`, keys at `/jwks`.
    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(".well-known/openid-configuration") { _, _ -> Response in
            let base = self.base
            let body = JSONValue.object(["issuer": .string(base), "jwks_uri": .string(base + "/jwks")]).serialized()
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        }
        router.get("jwks") { _, _ -> Response in
            let body = self.served.withLock { served in
                served.jwksRequests += 1
                return served.jwks
            }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        return router
    }

    /// Sets the base URL and publishes the JWKS with the given key ids (of "ec-1", "rsa-1", "ec-2").
    func publish(base: String? = nil, kids: [String]) async throws {
        guard let ecParameters = self.ecKey.publicKey.parameters else { throw TestIssuerError() }
        let (modulus, exponent) = try self.rsaKey.publicKey.getKeyPrimitives()
        var keys: [JSONValue] = []
        for kid in kids {
            switch kid {
            case "rsa-1":
                keys.append(
                    .object([
                        "kty": "RSA", "kid": .string(kid), "alg": "RS256", "use": "sig",
                        "n": .string(Self.base64URL(modulus)), "e": .string(Self.base64URL(exponent)),
                    ])
                )
            default:
                keys.append(
                    .object([
                        "kty": "EC", "crv": "P-256", "kid": .string(kid), "alg": "ES256", "use": "sig",
                        "x": .string(ecParameters.x), "y": .string(ecParameters.y),
                    ])
                )
            }
        }
        let jwks = JSONValue.object(["keys": .array(keys)]).jsonText
        self.served.withLock { served in
            if let base { served.base = base }
            served.jwks = jwks
        }
    }

    /// Registers the signing keys: "ec-1" and "rsa-1" are the issuer's, "ec-2" the ES256 key under
    /// another id; the forger holds another ES256 key claiming to be "ec-1".
    func prepareSigners() async {
        await self.signers.add(ecdsa: self.ecKey, kid: "ec-1")
        await self.signers.add(rsa: self.rsaKey, digestAlgorithm: .sha256, kid: "rsa-1")
        await self.signers.add(ecdsa: self.ecKey, kid: "ec-2")
        await self.forger.add(ecdsa: ES256PrivateKey(), kid: "ec-1")
    }

    /// A token with `claims` signed by `kid`; "forged" is signed by another key but names "ec-1".
    func token(_ claims: [String: JSONValue], kid: String = "ec-1") async throws -> String {
        if kid == "forged" {
            return try await self.forger.sign(OIDCClaims(claims), kid: "ec-1")
        }
        return try await self.signers.sign(OIDCClaims(claims), kid: JWKIdentifier(string: kid))
    }

    /// Claims an admin's token carries, expiring in an hour.
    func adminClaims(now: Date = Date()) -> [String: JSONValue] {
        [
            "iss": .string(self.base), "aud": "lurus-admin", "sub": "alice",
            "exp": .integer(Int(now.timeIntervalSince1970) + 3600),
            "nbf": .integer(Int(now.timeIntervalSince1970) - 10),
            "roles": .array(["viewer", "admin"]),
        ]
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

struct TestIssuerError: Error {}

/// The tests' RSA key, generated once.
actor RSAKeyCache {
    static let shared = RSAKeyCache()
    private var made: Task<Insecure.RSA.PrivateKey, any Error>?

    func key() async throws -> Insecure.RSA.PrivateKey {
        if let made = self.made { return try await made.value }
        let task = Task {
            try await LocalServer.offThePool { try Insecure.RSA.PrivateKey(backing: .init(keySize: .bits2048)) }
        }
        self.made = task
        return try await task.value
    }
}
