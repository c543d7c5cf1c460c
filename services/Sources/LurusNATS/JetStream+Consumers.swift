extension JetStream {
    /// Creates the durable pull consumer on `stream`, or updates it when its configuration
    /// differs, or leaves it; returns what it did.
    ///
    /// A consumer is found again by its durable name, from any connection: a service that
    /// restarts resumes where its consumer left off.
    public func ensureConsumer(
        _ configuration: ConsumerConfiguration,
        on stream: String
    ) async throws(NATSError) -> ConsumerEnsureResult {
        try Self.validate(streamName: stream)
        try Self.validate(name: configuration.durableName, role: "consumer name")
        if let filter = configuration.filterSubject {
            try NATSValidation.token(filter, role: "filter subject")
        }
        let existing: JetStreamAPI.ConsumerInfoReply = try await self.call(
            "CONSUMER.INFO.\(stream).\(configuration.durableName)"
        )
        let result: ConsumerEnsureResult
        if let error = existing.error {
            guard error.errCode == JetStreamAPI.consumerNotFound else {
                throw .serverError(Self.describe(error))
            }
            result = .created
        } else {
            guard let current = existing.config else {
                throw .protocolViolation("consumer info without a configuration")
            }
            if current.matches(configuration) {
                return .unchanged
            }
            result = .updated
        }
        let created: JetStreamAPI.ConsumerInfoReply = try await self.call(
            "CONSUMER.DURABLE.CREATE.\(stream).\(configuration.durableName)",
            body: JetStreamAPI.ConsumerCreateRequest(
                streamName: stream,
                config: JetStreamAPI.ConsumerConfig(configuration)
            )
        )
        if let error = created.error {
            throw .serverError("consumer \(configuration.durableName) on stream \(stream): \(Self.describe(error))")
        }
        return result
    }

    /// The consumer's configuration and progress, or nil when there is no such consumer.
    public func consumerInfo(stream: String, consumer name: String) async throws(NATSError) -> ConsumerInfo? {
        try Self.validate(streamName: stream)
        try Self.validate(name: name, role: "consumer name")
        let reply: JetStreamAPI.ConsumerInfoReply = try await self.call("CONSUMER.INFO.\(stream).\(name)")
        if let error = reply.error {
            guard error.errCode == JetStreamAPI.consumerNotFound else {
                throw .serverError(Self.describe(error))
            }
            return nil
        }
        guard let info = reply.info else {
            throw .protocolViolation("consumer info without configuration or progress")
        }
        return info
    }

    /// A handle on the durable pull consumer `name` of `stream`, to fetch its messages. No I/O:
    /// the consumer must exist (`ensureConsumer`).
    public func pullConsumer(stream: String, name: String) -> PullConsumer {
        PullConsumer(jetStream: self, stream: stream, name: name)
    }
}
