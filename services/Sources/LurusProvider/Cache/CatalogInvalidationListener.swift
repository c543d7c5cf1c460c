import Logging
import LurusRedis
import ServiceLifecycle

/// Listens on `lurus.catalog`: a version announced by another replica drops this one's copy, and so
/// does a subscription made again (messages may have been missed while it was down). A ping every
/// `pingInterval` notices a lost Redis sooner than the subscription does: until it is subscribed
/// again, this replica trusts its copy only briefly.
public struct CatalogInvalidationListener: Service {
    public let configuration: RedisConfiguration
    public let cache: CatalogCache
    public let pingInterval: Duration
    let logger: Logger

    public init(
        configuration: RedisConfiguration,
        cache: CatalogCache,
        pingInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.configuration = configuration
        self.cache = cache
        self.pingInterval = pingInterval
        self.logger = logger
    }

    public func run() async throws {
        let events = RedisSubscriber.events(self.configuration, channels: [CatalogCache.channel], logger: self.logger)
        let cache = self.cache
        let pinger = RedisClient(self.configuration, logger: self.logger)
        let interval = self.pingInterval
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in events {
                        switch event {
                        case .subscribed(let reconnected):
                            if reconnected { await cache.drop(minimumVersion: nil) }
                            await cache.setListening(true)
                        case .message(_, let payload):
                            await cache.drop(minimumVersion: Int(String(decoding: payload, as: UTF8.self)))
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await pinger.ping()
                        } catch {
                            await cache.setListening(false)
                        }
                        try? await Task.sleep(for: interval)
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        await pinger.close()
        await self.cache.setListening(false)
    }
}
