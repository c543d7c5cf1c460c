import Logging
import LurusEvents
import LurusNATS
import TestServers

/// What the services' tests do with a real nats-server: connect as its user, publish usage records to a
/// stream as the gateway does, and read a consumer's progress.
extension NATSServerProcess {
    public func connect(logger: Logger = Logger(label: "test.nats")) async throws -> NATSClient {
        var configuration = try NATSConfiguration(url: self.url)
        configuration.user = self.user
        configuration.password = self.password
        return try await NATSClient.connect(configuration, logger: logger)
    }

    /// Publishes `records` on `subject` of `stream` (declared first), 500 at a time; with `withIDs: false`
    /// the stream cannot catch repeats (a spool replayed after its duplicate window).
    public func publish(
        _ records: [UsageRecord],
        to stream: StreamConfiguration,
        subject: String,
        withIDs: Bool = true
    ) async throws {
        let client = try await self.connect()
        let jetStream = JetStream(client: client)
        _ = try await jetStream.ensureStream(stream)
        for chunk in stride(from: 0, to: records.count, by: 500) {
            let messages = records[chunk..<min(chunk + 500, records.count)].map {
                JetStreamMessage(subject: subject, payload: $0.encoded(), messageID: withIDs ? $0.requestId : nil)
            }
            for result in await jetStream.publish(messages) { _ = try result.get() }
        }
        await client.close()
    }

    /// The consumer's undelivered and unacknowledged messages; nil when it does not exist.
    public func pending(stream: String, consumer: String) async throws -> (undelivered: Int, unacknowledged: Int)? {
        let client = try await self.connect()
        let info = try await JetStream(client: client).consumerInfo(stream: stream, consumer: consumer)
        await client.close()
        return info.map { (Int($0.pending), $0.ackPending) }
    }
}
