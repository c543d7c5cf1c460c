import LurusInventory

/// Placeholder until the secret store lands: nothing to redact yet.
struct SecretsAccess: Sendable {
    static func redactor(for inventory: Inventory) throws -> SecretsAccess { SecretsAccess() }
    func redact(_ text: String) -> String { text }
}
