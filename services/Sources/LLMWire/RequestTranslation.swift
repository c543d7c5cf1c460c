/// Translates request bodies between OpenAI Chat Completions and Anthropic Messages.
enum RequestTranslation {
    /// The default `max_tokens` for Anthropic, which requires one, when an OpenAI client set none.
    static let defaultMaxTokens = 4096

    /// A role and its Anthropic content blocks, merged with neighbours of the same role.
    struct Turn {
        var role: String
        var blocks: [JSONValue]
    }

    /// Appends blocks for `role`, merging into the last turn when it has the same role.
    static func append(_ blocks: [JSONValue], role: String, to turns: inout [Turn]) {
        if let last = turns.indices.last, turns[last].role == role {
            turns[last].blocks.append(contentsOf: blocks)
        } else {
            turns.append(Turn(role: role, blocks: blocks))
        }
    }

    /// An Anthropic text block.
    static func textBlock(_ text: String) -> JSONValue {
        ["type": "text", "text": .string(text)]
    }

    /// A number field copied as is, or nil when absent or null; anything else is refused.
    static func number(_ body: JSONValue, _ key: String) throws(WireError) -> JSONValue? {
        guard let value = body[key], !value.isNull else { return nil }
        guard value.doubleValue != nil else { throw .invalidField(key, "must be a number") }
        return value
    }

    /// An integer field, or nil when absent or null; anything else is refused.
    static func integer(_ body: JSONValue, _ key: String) throws(WireError) -> Int? {
        guard let value = body[key], !value.isNull else { return nil }
        guard let integer = value.intValue else { throw .invalidField(key, "must be an integer") }
        return integer
    }
}
