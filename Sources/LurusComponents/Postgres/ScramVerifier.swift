import Crypto
import Foundation
import _CryptoExtras

/// A PostgreSQL SCRAM-SHA-256 password verifier (RFC 5802/7677, as PostgreSQL stores it in `pg_authid`):
/// `SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY`. Sent instead of the password, so the password never
/// reaches the server's SQL text or logs. psql's `\password` does the same client-side; no library here
/// makes the string, so it is assembled from swift-crypto's PBKDF2 and HMAC.
enum ScramVerifier {
    static let iterations = 4096

    static func make(password: [UInt8], salt: [UInt8]? = nil) throws -> String {
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255) }
        let salted = try KDF.Insecure.PBKDF2.deriveKey(
            from: password,
            salt: salt,
            using: .sha256,
            outputByteCount: 32,
            unsafeUncheckedRounds: self.iterations
        )
        let clientKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Client Key".utf8), using: salted))
        let storedKey = Data(SHA256.hash(data: clientKey))
        let serverKey = Data(HMAC<SHA256>.authenticationCode(for: Data("Server Key".utf8), using: salted))
        return "SCRAM-SHA-256$\(self.iterations):\(Data(salt).base64EncodedString())"
            + "$\(storedKey.base64EncodedString()):\(serverKey.base64EncodedString())"
    }
}
