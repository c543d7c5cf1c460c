extension JetStreamAPI {
    /// err_code of "consumer not found".
    static let consumerNotFound = 10_014

    /// A consumer's configuration as the API writes it.
    struct ConsumerConfig: Codable, Sendable {
        var durableName: String?
        var deliverSubject: String?
        var deliverPolicy: String?
        var ackPolicy: String?
        var ackWait: Int64?
        var maxDeliver: Int?
        var filterSubject: String?
        var replayPolicy: String?
        var maxAckPending: Int?

        private enum CodingKeys: String, CodingKey {
            case durableName = "durable_name"
            case deliverSubject = "deliver_subject"
            case deliverPolicy = "deliver_policy"
            case ackPolicy = "ack_policy"
            case ackWait = "ack_wait"
            case maxDeliver = "max_deliver"
            case filterSubject = "filter_subject"
            case replayPolicy = "replay_policy"
            case maxAckPending = "max_ack_pending"
        }

        init(_ configuration: ConsumerConfiguration) {
            self.durableName = configuration.durableName
            self.deliverPolicy = configuration.deliverPolicy.rawValue
            self.ackPolicy = "explicit"
            self.ackWait = configuration.ackWait.jetStreamNanoseconds
            self.maxDeliver = configuration.maxDeliver
            self.filterSubject = configuration.filterSubject
            self.replayPolicy = "instant"
            self.maxAckPending = configuration.maxAckPending
        }

        /// The managed fields, as a configuration value.
        var configuration: ConsumerConfiguration {
            ConsumerConfiguration(
                durableName: self.durableName ?? "",
                filterSubject: self.filterSubject.flatMap { $0.isEmpty ? nil : $0 },
                deliverPolicy: ConsumerConfiguration.DeliverPolicy(rawValue: self.deliverPolicy ?? "") ?? .all,
                ackWait: .nanoseconds(self.ackWait ?? 0),
                maxDeliver: self.maxDeliver ?? -1,
                maxAckPending: self.maxAckPending ?? -1
            )
        }

        /// Whether this is a pull consumer with explicit acks configured as `configuration`.
        func matches(_ configuration: ConsumerConfiguration) -> Bool {
            self.deliverSubject == nil && self.ackPolicy == "explicit" && self.configuration == configuration
        }
    }

    /// The body of `CONSUMER.DURABLE.CREATE`.
    struct ConsumerCreateRequest: Encodable, Sendable {
        var streamName: String
        var config: ConsumerConfig

        private enum CodingKeys: String, CodingKey {
            case streamName = "stream_name"
            case config
        }
    }

    /// A consumer sequence and a stream sequence as the API writes them.
    struct SequencePair: Decodable, Sendable {
        var consumerSeq: UInt64
        var streamSeq: UInt64

        private enum CodingKeys: String, CodingKey {
            case consumerSeq = "consumer_seq"
            case streamSeq = "stream_seq"
        }
    }

    /// The reply to `CONSUMER.INFO` and `CONSUMER.DURABLE.CREATE`.
    struct ConsumerInfoReply: Decodable, Sendable {
        var streamName: String?
        var config: ConsumerConfig?
        var delivered: SequencePair?
        var ackFloor: SequencePair?
        var numAckPending: Int?
        var numRedelivered: Int?
        var numWaiting: Int?
        var numPending: UInt64?
        var error: APIError?

        private enum CodingKeys: String, CodingKey {
            case streamName = "stream_name"
            case config
            case delivered
            case ackFloor = "ack_floor"
            case numAckPending = "num_ack_pending"
            case numRedelivered = "num_redelivered"
            case numWaiting = "num_waiting"
            case numPending = "num_pending"
            case error
        }

        /// The public value, or nil when a field it needs is missing.
        var info: ConsumerInfo? {
            guard let streamName = self.streamName, let config = self.config, let delivered = self.delivered,
                let ackFloor = self.ackFloor
            else { return nil }
            return ConsumerInfo(
                stream: streamName,
                configuration: config.configuration,
                delivered: .init(consumerSequence: delivered.consumerSeq, streamSequence: delivered.streamSeq),
                ackFloor: .init(consumerSequence: ackFloor.consumerSeq, streamSequence: ackFloor.streamSeq),
                ackPending: self.numAckPending ?? 0,
                redelivered: self.numRedelivered ?? 0,
                waiting: self.numWaiting ?? 0,
                pending: self.numPending ?? 0
            )
        }
    }
}
