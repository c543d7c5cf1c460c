import Crypto
import LurusEngine

/// Names of ConfigMaps and Secrets made from a hash of their content (`gateway-env-0123456789`), so a
/// change of configuration is a new object, a Deployment's pod template names the exact configuration
/// it was made with, and rolling back to an older Deployment brings its configuration back too.
///
/// Objects so named are immutable; older ones are left in place for rollbacks.
public enum ContentName {
    /// How many hex digits of the SHA-256 a name keeps (40 bits: a collision among one service's
    /// configurations is not a practical concern).
    public static let digits = 10

    /// `prefix-HASH` for a ConfigMap's entries: the hash covers every name and value, in order.
    public static func configMap(_ prefix: String, entries: [EnvironmentEntry]) -> String {
        var bytes: [UInt8] = Array("lurus-configmap-v1\u{0}".utf8)
        for entry in entries {
            bytes += Array(entry.name.utf8) + [0] + Array(entry.value.utf8) + [0]
        }
        return "\(prefix)-\(self.hash(bytes))"
    }

    /// `prefix-HASH` for a Secret's files: the hash covers every key and the SHA-256 of its value, never a
    /// value itself. So the name changes with any value, and tells no more about one than its digest.
    public static func secret(_ prefix: String, files: [(key: String, value: Secret)]) -> String {
        var bytes: [UInt8] = Array("lurus-secret-v1\u{0}".utf8)
        for file in files {
            bytes += Array(file.key.utf8) + [0] + Array(self.hash(file.value.bytes, digits: 64).utf8) + [0]
        }
        return "\(prefix)-\(self.hash(bytes))"
    }

    static func hash(_ bytes: [UInt8], digits: Int = Self.digits) -> String {
        let digest = SHA256.hash(data: bytes)
        let hex = digest.map { byte in
            let text = String(byte, radix: 16)
            return text.count == 1 ? "0" + text : text
        }.joined()
        return String(hex.prefix(digits))
    }
}
