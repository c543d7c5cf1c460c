import Foundation
import LurusInventory

/// One line of `lurusctl secrets list`: a secret's name and where its value comes from, never the value.
public struct SecretListing: Sendable, Hashable, Codable {
    public var name: String
    /// The reference as written (`env:TAILSCALE_AUTH_KEY`, `file:~/key`, `cmd:pass show x`) or `generated`.
    public var source: String
    /// The file holding the value, for `file:` references and generated secrets.
    public var path: String?
    /// That file's permission bits in octal (`0600`), when it exists.
    public var mode: String?
    /// A short state for people: `set`, `not set`, `missing`, `0600 /path`, `run when needed`.
    public var detail: String

    init(reference: SecretReference, name: String, resolver: SecretReferenceResolver) {
        self.name = name
        self.source = reference.description
        switch reference {
        case .environment(let variable):
            self.detail = (resolver.environment[variable]?.isEmpty == false) ? "set" : "not set"
        case .file(let written):
            let path = resolver.paths.resolve(written)
            self.path = path
            self.mode = FileMode.of(path).map(FileMode.octal)
            self.detail = self.mode.map { "\($0) \(path)" } ?? "missing: \(path)"
        case .command:
            self.detail = "run when needed"
        }
    }

    init(generated name: String, path: String, replacedBy inventory: String?) {
        self.name = name
        self.source = "generated"
        self.path = path
        self.mode = FileMode.of(path).map(FileMode.octal)
        let file = "\(self.mode ?? "?") \(path)"
        self.detail = inventory.map { "\(file) (unused: \($0) names a reference)" } ?? file
    }
}
