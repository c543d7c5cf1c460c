/// A problem that stops a service from starting: bad configuration, a missing file, no catalog.
///
/// Its description is one line an operator can act on; the service prints it and exits non-zero.
public struct StartupError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the setting or file.
    public var problem: String
    /// How to fix it.
    public var fix: String?

    public init(_ problem: String, fix: String? = nil) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        guard let fix = self.fix else { return self.problem }
        return "\(self.problem); \(fix)"
    }
}
