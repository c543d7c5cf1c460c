/// A backup, verify or restore problem: what failed and where (the object, the node), and what to do.
public struct BackupError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problem: String
    public var fix: String?

    public init(_ problem: String, fix: String? = nil) {
        self.problem = problem
        self.fix = fix
    }

    public var description: String { self.fix.map { "\(self.problem) (\($0))" } ?? self.problem }
}
