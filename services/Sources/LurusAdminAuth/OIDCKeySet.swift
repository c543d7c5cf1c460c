import AsyncHTTPClient
import Foundation
import JWTKit
import LLMWire
import Logging
import NIOCore
import NIOFoundationCompat

/// An OIDC issuer's signing keys: found through `{issuer}/.well-known/openid-configuration` →
/// `jwks_uri`, fetched with a timeout, refreshed every `refreshInterval` (``OIDCKeyRefresher``) and
/// at once when a token names a key id the set does not hold (at most every `unknownKeyRefreshGap`,
/// so forged key ids cannot make the service hammer the issuer).
public actor OIDCKeySet {
    /// The algorithms accepted: asymmetric only, so a public key can never be used as an HMAC secret.
    public static let algorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
    ]

    public let issuer: String
    public let refreshInterval: Duration
    public let unknownKeyRefreshGap: Duration
    public let fetchTimeout: Duration
    private let httpClient: HTTPClient
    private let logger: Logger
    private var keys = JWTKeyCollection()
    private var keyIDs: Set<String> = []
    private var loadedAt: ContinuousClock.Instant?
    private var lastAttempt: ContinuousClock.Instant?

    /// Creates the set; no request is made until the first token or refresh.
    public init(
        issuer: String,
        httpClient: HTTPClient = .shared,
        refreshInterval: Duration = .seconds(300),
        unknownKeyRefreshGap: Duration = .seconds(10),
        fetchTimeout: Duration = .seconds(3),
        logger: Logger
    ) {
        self.issuer = issuer.withoutTrailingSlashes
        self.httpClient = httpClient
        self.refreshInterval = refreshInterval
        self.unknownKeyRefreshGap = unknownKeyRefreshGap
        self.fetchTimeout = fetchTimeout
        self.logger = logger
    }

    /// The key ids held now.
    public var identifiers: Set<String> { self.keyIDs }

    /// Verifies `token`'s signature with the issuer's key it names; returns its claims unchecked.
    public func verify(_ token: String) async -> Result<OIDCClaims, AdminAuthFailure> {
        let header: JSONValue
        switch Self.header(of: token) {
        case .success(let value): header = value
        case .failure(let failure): return .failure(failure)
        }
        guard let algorithm = header["alg"]?.stringValue, Self.algorithms.contains(algorithm) else {
            let named = header["alg"]?.stringValue ?? "no algorithm"
            return .failure(.unauthenticated("the token is signed with \(named); accepted: RS*, PS*, ES*"))
        }
        guard let keyID = header["kid"]?.stringValue, !keyID.isEmpty else {
            return .failure(.unauthenticated("the token has no kid (key id) header"))
        }
        let clock = ContinuousClock()
        if self.loadedAt.map({ clock.now - $0 > self.refreshInterval }) ?? true {
            if let problem = await self.refresh(), self.keyIDs.isEmpty {
                return .failure(.init(.unavailable, "the issuer's signing keys cannot be fetched: \(problem)"))
            }
        }
        if !self.keyIDs.contains(keyID), self.lastAttempt.map({ clock.now - $0 > self.unknownKeyRefreshGap }) ?? true {
            await self.refresh()
        }
        guard self.keyIDs.contains(keyID) else {
            return .failure(
                .unauthenticated("the token's signing key (kid \"\(keyID)\") is not one of the issuer's keys")
            )
        }
        do {
            return .success(try await self.keys.verify(token, as: OIDCClaims.self))
        } catch {
            return .failure(
                .unauthenticated("the token's signature does not verify with the issuer's key \"\(keyID)\"")
            )
        }
    }

    /// Fetches the discovery document and the keys; on failure keeps the keys held and returns why.
    @discardableResult
    public func refresh() async -> String? {
        let clock = ContinuousClock()
        self.lastAttempt = clock.now
        do {
            let discoveryURL = self.issuer + "/.well-known/openid-configuration"
            let discovery = try await self.fetchJSON(discoveryURL)
            guard let jwksURL = discovery["jwks_uri"]?.stringValue else {
                throw OIDCFetchError("\(discoveryURL) has no jwks_uri")
            }
            let body = try await self.fetch(jwksURL)
            let jwks: JWKS
            do {
                jwks = try JSONDecoder().decode(JWKS.self, from: Data(body))
            } catch {
                throw OIDCFetchError("\(jwksURL) is not a JWKS: \(error)")
            }
            let collection = JWTKeyCollection()
            var identifiers: Set<String> = []
            for key in jwks.keys {
                guard let identifier = key.keyIdentifier else { continue }
                do {
                    try await collection.add(jwk: key)
                    identifiers.insert(identifier.string)
                } catch {
                    self.logger.info(
                        "an issuer key is skipped",
                        metadata: ["kid": "\(identifier.string)", "error": "\(error)"]
                    )
                }
            }
            guard !identifiers.isEmpty else { throw OIDCFetchError("\(jwksURL) holds no usable key with a kid") }
            self.keys = collection
            self.keyIDs = identifiers
            self.loadedAt = clock.now
            self.logger.debug(
                "issuer keys loaded",
                metadata: ["issuer": "\(self.issuer)", "kids": "\(identifiers.sorted())"]
            )
            return nil
        } catch {
            self.logger.warning(
                "issuer keys not refreshed",
                metadata: ["issuer": "\(self.issuer)", "error": "\(error)"]
            )
            return "\(error)"
        }
    }

    private func fetchJSON(_ url: String) async throws -> JSONValue {
        let body = try await self.fetch(url)
        do {
            return try JSONValue.parse(body)
        } catch {
            throw OIDCFetchError("\(url) is not JSON")
        }
    }

    private func fetch(_ url: String) async throws -> [UInt8] {
        let response: HTTPClientResponse
        do {
            response = try await self.httpClient.execute(HTTPClientRequest(url: url), timeout: .init(self.fetchTimeout))
        } catch {
            throw OIDCFetchError("\(url) unreachable: \(error)")
        }
        guard response.status == .ok else { throw OIDCFetchError("\(url) answered HTTP \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1 << 20)
        return Array(buffer: body)
    }

    /// The token's header, or why the token is not a JWT.
    static func header(of token: String) -> Result<JSONValue, AdminAuthFailure> {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Self.base64URLDecoded(parts[0]),
            let header = try? JSONValue.parse(bytes), case .object = header
        else {
            return .failure(.unauthenticated("the bearer token is neither the admin token nor a JWT"))
        }
        return .success(header)
    }

    static func base64URLDecoded(_ text: Substring) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

/// Why the issuer's keys could not be fetched.
struct OIDCFetchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
