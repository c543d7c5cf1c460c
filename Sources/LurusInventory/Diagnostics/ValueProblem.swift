/// Why a written value is not acceptable, and what would fix it. Parsers return it; the reader places it.
public struct ValueProblem: Error, Sendable, Hashable {
    public var message: String
    public var hint: String

    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }
}

extension Optional {
    /// The value, or the problem to report when there is none.
    func orProblem(_ message: String, hint: String) -> Result<Wrapped, ValueProblem> {
        self.map { .success($0) } ?? .failure(ValueProblem(message, hint: hint))
    }
}
