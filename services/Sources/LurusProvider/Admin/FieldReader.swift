import LLMWire

/// Reads a JSON object field by field, refusing unknown fields and wrong types with the field's
/// dotted path: the validation of every admin input goes through it. Pure.
struct FieldReader {
    let members: [String: JSONValue]
    let path: String

    /// Reads `value` as an object whose fields are among `known`.
    init(_ value: JSONValue, path: String = "", known: Set<String>) throws(APIError) {
        guard case .object(let members) = value else {
            throw .invalid(path.isEmpty ? "(body)" : path, "must be a JSON object")
        }
        for key in members.keys.sorted() where !known.contains(key) {
            throw .invalid(Self.join(path, key), "unknown field")
        }
        self.members = members
        self.path = path
    }

    func field(_ key: String) -> String { Self.join(self.path, key) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value, nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = self.members[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = self.value(key) else { return nil }
        guard let text = value.stringValue else { throw .invalid(self.field(key), "must be a string") }
        return text
    }

    func requiredString(_ key: String) throws(APIError) -> String {
        guard let text = try self.string(key) else { throw .invalid(self.field(key), "is required") }
        return text
    }

    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = self.value(key) else { return nil }
        guard let number = value.intValue else { throw .invalid(self.field(key), "must be an integer") }
        return number
    }

    func double(_ key: String) throws(APIError) -> Double? {
        guard let value = self.value(key) else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            throw .invalid(self.field(key), "must be a number")
        }
        return number
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = self.value(key) else { return nil }
        guard case .bool(let flag) = value else { throw .invalid(self.field(key), "must be true or false") }
        return flag
    }

    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let value = self.value(key) else { return nil }
        guard case .array(let elements) = value else { throw .invalid(self.field(key), "must be an array of strings") }
        var texts: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = element.stringValue else {
                throw .invalid("\(self.field(key))[\(index)]", "must be a string")
            }
            texts.append(text)
        }
        return texts
    }
}

extension JSONValue {
    /// `patch`'s members over this object's (a PATCH): a member set to null is removed; objects named
    /// in `deep` are merged one level down.
    func merged(with patch: JSONValue, deep: Set<String> = []) -> JSONValue {
        guard case .object(var members) = self, case .object(let changes) = patch else { return patch }
        for (key, value) in changes {
            if value == .null {
                members[key] = nil
            } else if deep.contains(key), let current = members[key] {
                members[key] = current.merged(with: value)
            } else {
                members[key] = value
            }
        }
        return .object(members)
    }
}
