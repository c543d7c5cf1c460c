/// A service that cannot be given its configuration from this inventory: which one, what is missing, and
/// how to fix it.
public struct ServiceCatalogError: Error, Sendable, Hashable, CustomStringConvertible {
    public var service: String
    public var message: String
    public var hint: String

    public init(service: String, _ message: String, hint: String) {
        self.service = service
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(self.service): \(self.message) (\(self.hint))" }
}
