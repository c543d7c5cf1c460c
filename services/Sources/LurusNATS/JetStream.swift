#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JetStream over the core client: `$JS.API` requests.
public struct JetStream: Sendable {
    /// The core client the requests go through.
    public let client: NATSClient
    /// The timeout of each API request and publish acknowledgement.
    public var timeout: Duration

    /// Creates a JetStream context on `client`.
    public init(client: NATSClient, timeout: Duration = .seconds(2)) {
        self.client = client
        self.timeout = timeout
    }

    /// Publishes with acknowledgement; `messageID` goes in the Nats-Msg-Id header (JetStream
    /// de-duplication).
    ///
    /// Throws `noResponders` when no stream stores `subject`, `serverError` when the stream
    /// refuses the message.
    public func publish(
        _ subject: String,
        payload: [UInt8],
        messageID: String?
    ) async throws(NATSError) -> PublishAck {
        let acks = await self.publish([JetStreamMessage(subject: subject, payload: payload, messageID: messageID)])
        return try acks[0].get()
    }

    /// Publishes messages in one write and waits for every acknowledgement; one outcome per
    /// message, in order, each failing as the single `publish` would.
    public func publish(_ messages: [JetStreamMessage]) async -> [Result<PublishAck, NATSError>] {
        let replies = await self.client.requests(
            messages.map {
                NATSRequest(
                    subject: $0.subject,
                    payload: $0.payload,
                    headers: $0.messageID.map { ["Nats-Msg-Id": $0] } ?? [:]
                )
            },
            timeout: self.timeout
        )
        return replies.map { reply in
            Result { () throws(NATSError) in try Self.acknowledgement(try reply.get()) }
        }
    }

    private static func acknowledgement(_ reply: NATSMessage) throws(NATSError) -> PublishAck {
        let ack: JetStreamAPI.PublishReply = try Self.decode(reply, what: "publish acknowledgement")
        if let error = ack.error {
            throw .serverError(Self.describe(error))
        }
        guard let stream = ack.stream, let sequence = ack.seq else {
            throw .protocolViolation("publish acknowledgement without stream or sequence")
        }
        return PublishAck(stream: stream, sequence: sequence, duplicate: ack.duplicate ?? false)
    }

    /// Creates the stream, or updates it when its configuration differs, or leaves it.
    public func ensureStream(
        _ configuration: StreamConfiguration
    ) async throws(NATSError) -> StreamEnsureResult {
        try Self.validate(streamName: configuration.name)
        let info: JetStreamAPI.StreamInfoReply = try await self.call(
            "STREAM.INFO.\(configuration.name)"
        )
        let wanted = JetStreamAPI.StreamConfig(configuration)
        if let error = info.error {
            guard error.errCode == JetStreamAPI.APIError.streamNotFound else {
                throw .serverError(Self.describe(error))
            }
            let created: JetStreamAPI.StreamInfoReply = try await self.call(
                "STREAM.CREATE.\(configuration.name)",
                body: wanted
            )
            if let error = created.error {
                // Another client (a second replica, the gateway and a consumer starting together) may have
                // made it between the look-up and the create: the server then says "subjects overlap" or
                // "name already in use". Look again, once.
                let again: JetStreamAPI.StreamInfoReply = try await self.call("STREAM.INFO.\(configuration.name)")
                guard again.error == nil, let current = again.config else {
                    throw .serverError(Self.describe(error))
                }
                return current.matches(configuration) ? .unchanged : try await self.update(configuration)
            }
            return .created
        }
        guard let current = info.config else {
            throw .protocolViolation("stream info without a configuration")
        }
        if current.matches(configuration) {
            return .unchanged
        }
        return try await self.update(configuration)
    }

    private func update(_ configuration: StreamConfiguration) async throws(NATSError) -> StreamEnsureResult {
        let updated: JetStreamAPI.StreamInfoReply = try await self.call(
            "STREAM.UPDATE.\(configuration.name)",
            body: JetStreamAPI.StreamConfig(configuration)
        )
        if let error = updated.error {
            throw .serverError(Self.describe(error))
        }
        return .updated
    }

    /// The stream's counters, or nil when there is no such stream.
    public func streamInfo(_ name: String) async throws(NATSError) -> StreamState? {
        try await self.streamDetails(name)?.state
    }

    /// The stream's configuration (the fields this client manages) and counters, or nil when
    /// there is no such stream.
    public func streamDetails(_ name: String) async throws(NATSError) -> StreamDetails? {
        try Self.validate(streamName: name)
        let info: JetStreamAPI.StreamInfoReply = try await self.call("STREAM.INFO.\(name)")
        if let error = info.error {
            guard error.errCode == JetStreamAPI.APIError.streamNotFound else {
                throw .serverError(Self.describe(error))
            }
            return nil
        }
        guard let config = info.config, let counters = info.state else {
            throw .protocolViolation("stream info without configuration or state")
        }
        let configuration = StreamConfiguration(
            name: config.name,
            subjects: config.subjects ?? [],
            maxAge: .nanoseconds(config.maxAge ?? 0),
            storage: StreamConfiguration.Storage(rawValue: config.storage ?? "") ?? .file,
            duplicateWindow: .nanoseconds(config.duplicateWindow ?? 0),
            maxBytes: config.maxBytes ?? -1,
            maxMessages: config.maxMessages ?? -1
        )
        let state = StreamState(
            messages: counters.messages,
            bytes: counters.bytes,
            firstSequence: counters.firstSeq,
            lastSequence: counters.lastSeq
        )
        return StreamDetails(configuration: configuration, state: state)
    }

    // MARK: Internals

    func call<Reply: Decodable>(_ api: String) async throws(NATSError) -> Reply {
        let reply = try await self.client.request(
            "$JS.API.\(api)",
            payload: [],
            timeout: self.timeout
        )
        return try Self.decode(reply, what: api)
    }

    func call<Reply: Decodable>(
        _ api: String,
        body: some Encodable
    ) async throws(NATSError) -> Reply {
        let payload: [UInt8]
        do {
            payload = Array(try JSONEncoder().encode(body))
        } catch {
            throw .protocolViolation("cannot encode \(api) request: \(error)")
        }
        let reply = try await self.client.request(
            "$JS.API.\(api)",
            payload: payload,
            timeout: self.timeout
        )
        return try Self.decode(reply, what: api)
    }

    private static func decode<Reply: Decodable>(
        _ message: NATSMessage,
        what: String
    ) throws(NATSError) -> Reply {
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(message.payload))
        } catch {
            let text = String(decoding: message.payload.prefix(200), as: UTF8.self)
            throw .protocolViolation("malformed JetStream reply to \(what): \(text)")
        }
    }

    static func describe(_ error: JetStreamAPI.APIError) -> String {
        error.description ?? "JetStream API error \(error.code)"
    }

    static func validate(streamName name: String) throws(NATSError) {
        try Self.validate(name: name, role: "stream name")
    }

    /// Throws unless `name` can be a stream or consumer name: no dots, wildcards or whitespace.
    static func validate(name: String, role: String) throws(NATSError) {
        let forbidden: Set<UInt8> = [
            UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: ">"), UInt8(ascii: "/"),
        ]
        guard !name.isEmpty,
            !name.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F || forbidden.contains($0) })
        else {
            throw .protocolViolation("invalid \(role) \(name.debugDescription)")
        }
    }
}
