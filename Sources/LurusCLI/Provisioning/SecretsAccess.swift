import LurusEngine
import LurusInventory

/// The secrets a run knows of, for redacting output: a second line of defence behind plans that never
/// fetch secret contents and commands that take secrets only on stdin.
struct SecretsAccess: Sendable {
    var redactor: Redactor

    /// Reads the values that are cheap and silent to read: environment variables, files and generated
    /// secrets already made. `cmd:` references are left out (they may prompt, or be slow); never generates.
    static func redactor(
        for inventory: Inventory,
        adding known: some Sequence<Secret> = [Secret]()
    ) async -> SecretsAccess {
        let store = SecretStore(inventory: inventory)
        var secrets = Array(known)
        for listing in store.list() where !listing.source.hasPrefix("cmd:") {
            if listing.source == "generated", listing.mode == nil { continue }
            if let secret = try? await store.value(of: listing.name) { secrets.append(secret) }
        }
        return SecretsAccess(redactor: Redactor(secrets))
    }

    var redact: @Sendable (String) -> String { { [redactor] in redactor.redact($0) } }
}
