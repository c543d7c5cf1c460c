import LurusInventory

extension Redactor {
    /// A redactor for one run's output: the secrets the run resolved, plus those cheap and silent to read
    /// (environment variables, files and generated secrets already made). A second line of defence behind
    /// plans that never fetch secret contents and commands that take secrets only on stdin. `cmd:`
    /// references are left out (they may prompt, or be slow); nothing is generated.
    public static func forRun(
        of inventory: Inventory,
        adding known: some Sequence<Secret> = [Secret]()
    ) async -> Redactor {
        let store = SecretStore(inventory: inventory)
        var secrets = Array(known)
        for listing in store.list() where !listing.source.hasPrefix("cmd:") {
            if listing.source == "generated", listing.mode == nil { continue }
            if let secret = try? await store.value(of: listing.name) { secrets.append(secret) }
        }
        return Redactor(secrets)
    }

    /// `redact` as a closure to hand down.
    public var redacting: @Sendable (String) -> String { { [self] in self.redact($0) } }
}
