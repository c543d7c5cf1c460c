/// Manifests that cannot be made: which service, what is missing, and how to fix it.
public struct KubernetesManifestError: Error, Sendable, Hashable, CustomStringConvertible {
    public var service: String?
    public var message: String
    public var hint: String

    public init(service: String?, _ message: String, hint: String) {
        self.service = service
        self.message = message
        self.hint = hint
    }

    public var description: String {
        (self.service.map { "\($0): " } ?? "") + "\(self.message) (\(self.hint))"
    }
}
