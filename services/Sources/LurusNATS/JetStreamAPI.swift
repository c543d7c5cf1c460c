/// The JSON of the `$JS.API` requests and replies this client uses.
enum JetStreamAPI {
    /// The error object of a failed API call.
    struct APIError: Decodable, Sendable {
        var code: Int
        var errCode: Int?
        var description: String?

        private enum CodingKeys: String, CodingKey {
            case code
            case errCode = "err_code"
            case description
        }

        /// err_code of "stream not found".
        static let streamNotFound = 10_059
    }

    /// The reply to a publish on a stream's subject.
    struct PublishReply: Decodable, Sendable {
        var stream: String?
        var seq: UInt64?
        var duplicate: Bool?
        var error: APIError?
    }

    /// The reply to `STREAM.INFO`, `STREAM.CREATE` and `STREAM.UPDATE`.
    struct StreamInfoReply: Decodable, Sendable {
        var config: StreamConfig?
        var state: StreamCounters?
        var error: APIError?
    }

    /// A stream's configuration as the API writes it.
    struct StreamConfig: Codable, Sendable {
        var name: String
        var subjects: [String]?
        var retention: String?
        var maxConsumers: Int?
        var maxMessages: Int64?
        var maxBytes: Int64?
        var maxAge: Int64?
        var storage: String?
        var discard: String?
        var numReplicas: Int?
        var duplicateWindow: Int64?

        private enum CodingKeys: String, CodingKey {
            case name
            case subjects
            case retention
            case maxConsumers = "max_consumers"
            case maxMessages = "max_msgs"
            case maxBytes = "max_bytes"
            case maxAge = "max_age"
            case storage
            case discard
            case numReplicas = "num_replicas"
            case duplicateWindow = "duplicate_window"
        }

        init(_ configuration: StreamConfiguration) {
            self.name = configuration.name
            self.subjects = configuration.subjects
            self.retention = "limits"
            self.maxConsumers = -1
            self.maxMessages = configuration.maxMessages
            self.maxBytes = configuration.maxBytes
            self.maxAge = configuration.maxAge.jetStreamNanoseconds
            self.storage = configuration.storage.rawValue
            self.discard = "old"
            self.numReplicas = 1
            self.duplicateWindow = configuration.duplicateWindow.jetStreamNanoseconds
        }

        /// Whether the fields this client manages equal those of `configuration`.
        func matches(_ configuration: StreamConfiguration) -> Bool {
            Set(self.subjects ?? []) == Set(configuration.subjects)
                && (self.maxAge ?? 0) == configuration.maxAge.jetStreamNanoseconds
                && self.storage == configuration.storage.rawValue
                && (self.duplicateWindow ?? 0) == configuration.duplicateWindow.jetStreamNanoseconds
                && (self.maxBytes ?? -1) == configuration.maxBytes
                && (self.maxMessages ?? -1) == configuration.maxMessages
        }
    }

    /// A stream's counters as the API writes them.
    struct StreamCounters: Decodable, Sendable {
        var messages: UInt64
        var bytes: UInt64
        var firstSeq: UInt64
        var lastSeq: UInt64

        private enum CodingKeys: String, CodingKey {
            case messages
            case bytes
            case firstSeq = "first_seq"
            case lastSeq = "last_seq"
        }
    }
}
