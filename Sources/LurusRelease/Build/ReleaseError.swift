/// Something about building, shipping or switching a release that went wrong, and what to do about it.
public struct ReleaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, with where (the node, the service, the file).
    public var message: String
    /// What would fix it.
    public var hint: String

    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(self.message) (\(self.hint))" }
}
