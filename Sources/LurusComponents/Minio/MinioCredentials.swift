import LurusEngine

/// MinIO's root credentials are written single-quoted into `/etc/default/minio` (read by systemd and
/// sourced by sh) and double-quoted into curl's config: a value must not end or escape either quoting.
/// Generated secrets never do; a value given in the inventory is checked here, as is MinIO's minimum length.
enum MinioCredentials {
    static let forbidden: Set<UInt8> = Set("'\"\\$`\n\r".utf8)

    static func check(_ secret: Secret, minimumLength: Int, in context: ComponentContext) throws {
        if secret.bytes.contains(where: self.forbidden.contains) {
            throw context.error(
                "the secret \(secret.name) holds a quote, backslash, $, backtick or line break",
                hint: "give it a value without those, or remove it from secrets: so lurusctl generates one"
            )
        }
        if secret.bytes.count < minimumLength {
            throw context.error(
                "the secret \(secret.name) is shorter than the \(minimumLength) characters MinIO requires",
                hint: "give it a longer value, or remove it from secrets: so lurusctl generates one"
            )
        }
    }
}
