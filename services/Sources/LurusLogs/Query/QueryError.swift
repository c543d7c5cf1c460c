/// A query parameter the API refuses: 400 naming the parameter, what is wrong and what it takes.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String

    public init(_ parameter: String, _ message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(self.parameter): \(self.message)" }
}
