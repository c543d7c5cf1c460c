import Logging
import NIOCore
import NIOPosix

/// What a subscription hears: a message, or that it is (again) subscribed. Pub/sub keeps nothing for a
/// subscriber that was away, so `.subscribed` after the first means messages may have been missed: a
/// cache invalidated by messages must then drop everything.
public enum RedisSubscriptionEvent: Sendable, Hashable {
    case subscribed(reconnected: Bool)
    case message(channel: String, payload: [UInt8])
}

/// A subscription to Redis channels on a connection of its own, kept up for as long as its events are
/// read: lost connections are made again (after 0.1 s, doubling to at most `maximumBackoff`) and the
/// channels subscribed again.
public enum RedisSubscriber {
    public static func events(
        _ configuration: RedisConfiguration,
        channels: [String],
        maximumBackoff: Duration = .seconds(5),
        eventLoop: (any EventLoop)? = nil,
        logger: Logger
    ) -> AsyncStream<RedisSubscriptionEvent> {
        let eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let (stream, continuation) = AsyncStream.makeStream(of: RedisSubscriptionEvent.self)
        let task = Task {
            var backoff = Duration.milliseconds(100)
            var reconnected = false
            while !Task.isCancelled {
                let (lost, lostContinuation) = AsyncStream.makeStream(of: Void.self)
                let wasReconnected = reconnected
                do {
                    let connection = try await RedisConnection.connect(
                        configuration,
                        on: eventLoop,
                        push: { value in
                            guard case .array(let parts?) = value, parts.count == 3 else { return }
                            switch parts[0].string {
                            case "message":
                                continuation.yield(
                                    .message(channel: parts[1].string ?? "", payload: parts[2].bytes ?? [])
                                )
                            case "subscribe":
                                // One confirmation per channel: the last one says all are subscribed.
                                if parts[2].integer == Int64(channels.count) {
                                    continuation.yield(.subscribed(reconnected: wasReconnected))
                                }
                            default: break
                            }
                        },
                        closed: { lostContinuation.finish() }
                    )
                    try await connection.sendWithoutReply([Array("SUBSCRIBE".utf8)] + channels.map { Array($0.utf8) })
                    backoff = .milliseconds(100)
                    await withTaskCancellationHandler {
                        for await _ in lost {}
                    } onCancel: {
                        connection.close()
                    }
                    logger.info("Redis subscription lost; subscribing again", metadata: ["channels": "\(channels)"])
                } catch {
                    logger.warning("Redis subscription failed", metadata: ["error": "\(error)"])
                }
                reconnected = true
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, maximumBackoff)
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
