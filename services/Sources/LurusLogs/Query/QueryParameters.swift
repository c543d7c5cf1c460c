/// A request's URL parameters, read one by one with errors that name the parameter. Pure.
public struct QueryParameters: Sendable {
    private var values: [String: [String]]

    /// From decoded name-value pairs; a name not in `allowed` is refused (a typo would otherwise be a
    /// filter silently not applied).
    public init(_ pairs: [(String, String)], allowed: Set<String>) throws(QueryError) {
        var values: [String: [String]] = [:]
        for (name, value) in pairs {
            guard allowed.contains(name) else {
                throw QueryError(name, "is not a parameter here; use " + allowed.sorted().joined(separator: ", "))
            }
            values[name, default: []].append(value)
        }
        self.values = values
    }

    /// The parameter's one value, nil when absent; empty or repeated is an error.
    public func text(_ name: String) throws(QueryError) -> String? {
        guard let values = self.values[name] else { return nil }
        guard values.count == 1 else { throw QueryError(name, "is given \(values.count) times; give it once") }
        guard !values[0].isEmpty else { throw QueryError(name, "is empty") }
        return values[0]
    }

    /// An ISO 8601 UTC time (`2026-12-03T05:00:00Z`, fractions allowed) in milliseconds since 1970.
    public func time(_ name: String) throws(QueryError) -> Int64? {
        guard let text = try self.text(name) else { return nil }
        guard let milliseconds = EventTime.milliseconds(text) else {
            throw QueryError(name, "\"\(text)\" is not a time; use ISO 8601 in UTC, e.g. 2026-12-03T05:00:00Z")
        }
        return milliseconds
    }

    /// A whole number in `range`, or `defaultValue` when absent.
    public func integer(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws(QueryError) -> Int {
        guard let text = try self.text(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw QueryError(name, "\"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// One of `choices`, or `defaultValue` when absent.
    public func choice<T: RawRepresentable>(_ name: String, default defaultValue: T?) throws(QueryError) -> T?
    where T.RawValue == String, T: CaseIterable {
        guard let text = try self.text(name) else { return defaultValue }
        guard let value = T(rawValue: text) else {
            throw QueryError(
                name,
                "\"\(text)\" is not one of " + T.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        return value
    }
}
