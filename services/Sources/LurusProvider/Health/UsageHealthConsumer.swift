import Logging
import LurusEvents
import LurusNATS
import ServiceLifecycle

/// Feeds the health board from `llm.usage` (stream LLM_EVENTS) through a durable pull consumer:
/// each event is recorded, then acknowledged; one that cannot be decoded is terminated. A lost
/// connection is made again after a pause.
public struct UsageHealthConsumer: Service {
    public let configuration: NATSConfiguration
    public let durableName: String
    public let board: ProviderHealthBoard
    let logger: Logger

    public init(configuration: NATSConfiguration, durableName: String, board: ProviderHealthBoard, logger: Logger) {
        self.configuration = configuration
        self.durableName = durableName
        self.board = board
        self.logger = logger
    }

    /// The consumer: only `llm.usage` (consumed exactly), from new messages on when first made.
    public var consumerConfiguration: ConsumerConfiguration {
        ConsumerConfiguration(
            durableName: self.durableName,
            filterSubject: EventStreams.llmUsageSubject,
            deliverPolicy: .new,
            ackWait: .seconds(30)
        )
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var pause = Duration.milliseconds(200)
            while !Task.isCancelled {
                do {
                    try await self.consume()
                } catch {
                    if Task.isCancelled { break }
                    await self.board.setConsumerState("NATS down: \(error)")
                    self.logger.warning("usage consumer stopped; connecting again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    /// One connection's life: the stream and consumer made sure of, then fetch, record, ack.
    func consume() async throws {
        let client = try await NATSClient.connect(self.configuration, logger: self.logger)
        do {
            let jetStream = JetStream(client: client)
            _ = try await jetStream.ensureStream(EventStreams.llm)
            _ = try await jetStream.ensureConsumer(self.consumerConfiguration, on: EventStreams.llm.name)
            let consumer = jetStream.pullConsumer(stream: EventStreams.llm.name, name: self.durableName)
            await self.board.setConsumerState("consuming \(EventStreams.llmUsageSubject) as \(self.durableName)")
            while !Task.isCancelled {
                let deliveries = try await consumer.fetch(batch: 200, expires: .seconds(2))
                for delivery in deliveries {
                    do {
                        await self.board.record(try UsageRecord.decode(delivery.payload))
                        try await delivery.ack()
                    } catch let error as EventDecodingError {
                        self.logger.warning(
                            "an llm.usage event cannot be decoded; dropped",
                            metadata: ["error": "\(error)"]
                        )
                        try await delivery.term()
                    }
                }
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}
