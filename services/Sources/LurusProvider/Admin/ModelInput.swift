import LLMWire

/// A model's price in USD per million tokens.
public struct ModelPricing: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cacheRead: Double
    public var cacheWrite: Double

    public init(input: Double = 0, output: Double = 0, cacheRead: Double = 0, cacheWrite: Double = 0) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    /// `{"input":…,"output":…,"cache_read":…,"cache_write":…}`.
    public var json: JSONValue {
        .object([
            "input": .number(self.input), "output": .number(self.output),
            "cache_read": .number(self.cacheRead), "cache_write": .number(self.cacheWrite),
        ])
    }
}

/// A model as an admin gives it, validated: every refusal names its field. Pure.
///
/// Routing in the gateway is an exact-name lookup, so names and aliases are explicit: no wildcard
/// characters, no whitespace.
public struct ModelInput: Sendable, Equatable {
    static let fields: Set<String> = ["provider", "name", "upstream", "aliases", "enabled", "price"]
    static let priceFields: Set<String> = ["input", "output", "cache_read", "cache_write"]

    public var provider: String
    public var name: String
    public var upstream: String
    public var aliases: [String]
    public var enabled: Bool
    public var price: ModelPricing

    /// Creates an input (tests; the API reads JSON with ``init(json:)``).
    public init(
        provider: String,
        name: String,
        upstream: String? = nil,
        aliases: [String] = [],
        enabled: Bool = true,
        price: ModelPricing = .init()
    ) {
        self.provider = provider
        self.name = name
        self.upstream = upstream ?? name
        self.aliases = aliases
        self.enabled = enabled
        self.price = price
    }

    /// Validates a whole model (POST, PUT, or a PATCH merged over the current one).
    public init(json: JSONValue) throws(APIError) {
        let reader = try FieldReader(json, known: Self.fields)
        self.provider = try reader.requiredString("provider")
        self.name = try reader.requiredString("name")
        try Self.check(self.name, field: "name")
        self.upstream = try reader.string("upstream") ?? self.name
        guard !self.upstream.isEmpty, self.upstream.count <= 256, !self.upstream.contains(where: \.isNewline) else {
            throw .invalid("upstream", "must be 1 to 256 characters on one line")
        }
        self.aliases = try reader.strings("aliases") ?? []
        var seen: Set<String> = [self.name]
        for (index, alias) in self.aliases.enumerated() {
            try Self.check(alias, field: "aliases[\(index)]")
            guard seen.insert(alias).inserted else {
                throw .invalid("aliases[\(index)]", "\"\(alias)\" is the model's name or another alias already")
            }
        }
        self.enabled = try reader.bool("enabled") ?? true
        if let price = reader.value("price") {
            let prices = try FieldReader(price, path: "price", known: Self.priceFields)
            func read(_ key: String) throws(APIError) -> Double {
                let value = try prices.double(key) ?? 0
                guard value >= 0, value <= 1_000_000 else {
                    throw .invalid("price.\(key)", "must be a number of USD per million tokens, at least 0")
                }
                return value
            }
            self.price = ModelPricing(
                input: try read("input"),
                output: try read("output"),
                cacheRead: try read("cache_read"),
                cacheWrite: try read("cache_write")
            )
        } else {
            self.price = ModelPricing()
        }
    }

    /// The names the model is served under: its name, then its aliases.
    public var servedNames: [String] { [self.name] + self.aliases }

    /// The input's JSON, as an admin would send it.
    public var json: JSONValue {
        .object([
            "provider": .string(self.provider),
            "name": .string(self.name),
            "upstream": .string(self.upstream),
            "aliases": .array(self.aliases.map(JSONValue.string)),
            "enabled": .bool(self.enabled),
            "price": self.price.json,
        ])
    }

    /// A PATCH over `current`; `price` is merged member by member.
    public static func patched(_ current: ModelInput, with patch: JSONValue) throws(APIError) -> ModelInput {
        _ = try FieldReader(patch, known: Self.fields)
        return try ModelInput(json: current.json.merged(with: patch, deep: ["price"]))
    }

    /// A served name: 1 to 256 characters, no whitespace, no wildcard characters.
    static func check(_ name: String, field: String) throws(APIError) {
        guard !name.isEmpty, name.count <= 256 else { throw .invalid(field, "must be 1 to 256 characters") }
        if name.contains(where: { $0.isWhitespace }) { throw .invalid(field, "must not contain whitespace") }
        if name.contains(where: { "*?[]{}".contains($0) }) {
            throw .invalid(
                field,
                "must be an exact model name: the gateway routes by exact name, so wildcards (*, ?, [], {}) are refused"
            )
        }
    }
}
