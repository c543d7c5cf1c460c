/// A client request as the gateway needs it.
public struct ClientRequest: Sendable {
    /// The protocol the client speaks.
    public var clientProtocol: APIProtocol
    /// The model the client asked for.
    public var model: String
    /// Whether the client asked for a stream.
    public var stream: Bool
    /// The request body.
    public var body: JSONValue
    /// OpenAI only: the client set `stream_options.include_usage` to true.
    public var clientWantsUsageChunk: Bool

    /// Creates a request from its parts.
    public init(
        clientProtocol: APIProtocol,
        model: String,
        stream: Bool,
        body: JSONValue,
        clientWantsUsageChunk: Bool = false
    ) {
        self.clientProtocol = clientProtocol
        self.model = model
        self.stream = stream
        self.body = body
        self.clientWantsUsageChunk = clientWantsUsageChunk
    }

    /// Parses a request body.
    ///
    /// Anthropic and both OpenAI protocols take `"model"` and `"stream"` (a Boolean, default false)
    /// from the body; Gemini takes the model from `pathModel` and streaming from `streamRoute`.
    /// Throws ``WireError/malformedJSON(_:)``, ``WireError/notAnObject``,
    /// ``WireError/missingModel`` (missing, not a string, or empty) or
    /// `invalidField("stream", "must be a boolean")`.
    public static func parse(
        _ bytes: some Collection<UInt8>,
        protocol wire: APIProtocol,
        pathModel: String? = nil,
        streamRoute: Bool = false
    ) throws(WireError) -> ClientRequest {
        let body = try JSONValue.parse(bytes)
        guard body.objectValue != nil else { throw .notAnObject }
        let model: String
        let stream: Bool
        if wire == .gemini {
            guard let pathModel, !pathModel.isEmpty else { throw .missingModel }
            model = pathModel
            stream = streamRoute
        } else {
            guard let bodyModel = body["model"]?.stringValue, !bodyModel.isEmpty else {
                throw .missingModel
            }
            model = bodyModel
            switch body["stream"] {
            case nil, .null?: stream = false
            case .bool(let value)?: stream = value
            default: throw .invalidField("stream", "must be a boolean")
            }
        }
        let wantsUsage =
            wire == .openai && body[path: "stream_options", "include_usage"] == .bool(true)
        return ClientRequest(
            clientProtocol: wire,
            model: model,
            stream: stream,
            body: body,
            clientWantsUsageChunk: wantsUsage
        )
    }

    /// The body to send to a provider of `providerProtocol` for `upstreamModel`.
    ///
    /// The same protocol gets the client's body with `"model"` replaced (Gemini: unchanged, the
    /// model is in the path); an OpenAI stream also gets `stream_options.include_usage = true`,
    /// keeping other stream options. OpenAI ⇄ Anthropic is translated. Any other pair throws
    /// ``WireError/unsupportedPair(client:provider:)``.
    public func upstreamBody(
        providerProtocol: APIProtocol,
        upstreamModel: String
    ) throws(WireError) -> [UInt8] {
        try self.upstreamJSON(providerProtocol: providerProtocol, upstreamModel: upstreamModel)
            .serialized()
    }

    /// The body ``upstreamBody(providerProtocol:upstreamModel:)`` serializes.
    public func upstreamJSON(
        providerProtocol: APIProtocol,
        upstreamModel: String
    ) throws(WireError) -> JSONValue {
        switch (self.clientProtocol, providerProtocol) {
        case (.gemini, .gemini):
            return self.body
        case (.anthropic, .anthropic), (.openaiResponses, .openaiResponses):
            return self.body.setting("model", to: .string(upstreamModel))
        case (.openai, .openai):
            let body = self.body.setting("model", to: .string(upstreamModel))
            return self.stream ? Self.requestingUsage(body) : body
        case (.openai, .anthropic):
            return try RequestTranslation.anthropicRequest(
                fromOpenAI: self.body,
                model: upstreamModel,
                stream: self.stream
            )
        case (.anthropic, .openai):
            let body = try RequestTranslation.openAIRequest(
                fromAnthropic: self.body,
                model: upstreamModel,
                stream: self.stream
            )
            return self.stream ? Self.requestingUsage(body) : body
        default:
            throw .unsupportedPair(client: self.clientProtocol, provider: providerProtocol)
        }
    }

    /// An OpenAI body with `stream_options.include_usage` set, other stream options kept.
    static func requestingUsage(_ body: JSONValue) -> JSONValue {
        let options = body["stream_options"]?.objectValue ?? [:]
        return body.setting(
            "stream_options",
            to: .object(options).setting("include_usage", to: true)
        )
    }
}
