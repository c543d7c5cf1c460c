import LurusEngine

/// Secrets written into a double-quoted string of a configuration file (Redis, NATS) must not end that
/// string. Generated secrets never do; a value given in the inventory is checked here.
enum ConfigQuoting {
    static func check(_ secret: Secret, in context: ComponentContext) throws {
        let forbidden: Set<UInt8> = [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        if secret.bytes.contains(where: forbidden.contains) || secret.bytes.isEmpty {
            throw context.error(
                "the secret \(secret.name) is empty or holds a quote, backslash or line break",
                hint: "give it a value without those, or remove it from secrets: so lurusctl generates one"
            )
        }
    }
}
