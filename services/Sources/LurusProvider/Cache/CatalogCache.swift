import Logging
import LurusRedis

/// Where the catalog answers come from: this replica's memory, then Redis (`lurus:catalog`, 5 min),
/// then PostgreSQL. Every change drops the copies (`invalidate`); the other replicas hear of it on
/// `lurus.catalog` (``CatalogInvalidationListener``). Concurrent misses share one PostgreSQL load. Redis being down never fails an answer: it is
/// skipped for a few seconds and PostgreSQL answers, with one warning per outage.
public actor CatalogCache {
    public static let redisKey = "lurus:catalog"
    public static let channel = "lurus.catalog"

    /// Where an answer came from (metrics, tests).
    public enum Source: String, Sendable {
        case memory, redis, database
    }

    let store: ProviderStore
    let redis: RedisClient?
    let redisTTL: Duration
    /// How long this replica trusts its copy while it hears invalidations, and while it does not.
    let memoryTTLListening: Duration
    let memoryTTLDeaf: Duration
    let redisRetryAfter: Duration
    let logger: Logger
    private let clock = ContinuousClock()
    private var memory: (snapshot: CatalogSnapshot, at: ContinuousClock.Instant)?
    /// The newest version announced: older copies (a replica that set Redis just before a change) are stale.
    private var minimumVersion = 0
    private var listening = false
    private var redisSkippedUntil: ContinuousClock.Instant?
    private var redisDown = false
    /// The PostgreSQL load in flight: concurrent misses wait for it rather than each loading.
    private var loading: Task<CatalogSnapshot, any Error>?

    public init(
        store: ProviderStore,
        redis: RedisClient?,
        redisTTL: Duration = .seconds(300),
        memoryTTLListening: Duration = .seconds(30),
        memoryTTLDeaf: Duration = .seconds(2),
        redisRetryAfter: Duration = .seconds(5),
        logger: Logger
    ) {
        self.store = store
        self.redis = redis
        self.redisTTL = redisTTL
        self.memoryTTLListening = memoryTTLListening
        self.memoryTTLDeaf = memoryTTLDeaf
        self.redisRetryAfter = redisRetryAfter
        self.logger = logger
    }

    /// The current catalog and where it came from.
    public func current() async throws -> (snapshot: CatalogSnapshot, source: Source) {
        let ttl = self.listening ? self.memoryTTLListening : self.memoryTTLDeaf
        if let memory = self.memory, self.clock.now - memory.at < ttl, memory.snapshot.version >= self.minimumVersion {
            return (memory.snapshot, .memory)
        }
        if let cached = await self.fromRedis(), cached.version >= self.minimumVersion {
            self.keep(cached)
            return (cached, .redis)
        }
        if let loading = self.loading {
            return (try await loading.value, .database)
        }
        let store = self.store
        let loading = Task { CatalogRenderer.render(try await store.catalogContents()) }
        self.loading = loading
        defer { self.loading = nil }
        let snapshot = try await loading.value
        self.keep(snapshot)
        await self.toRedis(snapshot)
        return (snapshot, .database)
    }

    /// Drops every copy after a change made here that produced `version`, and tells the other replicas.
    public func invalidate(version: Int) async {
        self.drop(minimumVersion: version)
        guard let redis = self.usableRedis else { return }
        do {
            try await redis.delete([Self.redisKey])
            try await redis.publish(Self.channel, Array(String(version).utf8))
            self.redisUp()
        } catch {
            self.redisFailed(error)
        }
    }

    /// Drops this replica's copy (an invalidation heard, or a subscription made again).
    public func drop(minimumVersion: Int?) {
        self.memory = nil
        // A load begun before the change may read the older version: the next miss starts its own.
        self.loading = nil
        if let minimumVersion { self.minimumVersion = max(self.minimumVersion, minimumVersion) }
    }

    /// Whether this replica hears invalidations now (it trusts its copy longer when it does).
    public func setListening(_ listening: Bool) {
        self.listening = listening
        if !listening { self.memory = nil }
    }

    /// Redis state for /health.
    public var redisState: String {
        guard self.redis != nil else { return "not configured" }
        if self.redisDown { return "down, answering from PostgreSQL" }
        return self.listening ? "up, subscribed to \(Self.channel)" : "up, not subscribed"
    }

    private func keep(_ snapshot: CatalogSnapshot) {
        if let memory = self.memory, memory.snapshot.version > snapshot.version { return }
        self.memory = (snapshot, self.clock.now)
    }

    private var usableRedis: RedisClient? {
        guard let redis = self.redis else { return nil }
        if let until = self.redisSkippedUntil, self.clock.now < until { return nil }
        return redis
    }

    private func fromRedis() async -> CatalogSnapshot? {
        guard let redis = self.usableRedis else { return nil }
        do {
            let value = try await redis.get(Self.redisKey)
            self.redisUp()
            return value.flatMap(CatalogSnapshot.init(cacheValue:))
        } catch {
            self.redisFailed(error)
            return nil
        }
    }

    private func toRedis(_ snapshot: CatalogSnapshot) async {
        guard let redis = self.usableRedis else { return }
        do {
            try await redis.set(Self.redisKey, snapshot.cacheValue, expiry: self.redisTTL)
            self.redisUp()
        } catch {
            self.redisFailed(error)
        }
    }

    private func redisUp() {
        if self.redisDown {
            self.logger.info("Redis is back; the catalog is cached there again")
        }
        self.redisDown = false
        self.redisSkippedUntil = nil
    }

    private func redisFailed(_ error: any Error) {
        if !self.redisDown {
            self.logger.warning(
                "Redis failed; the catalog is answered from PostgreSQL until it is back",
                metadata: ["error": "\(error)"]
            )
        }
        self.redisDown = true
        self.redisSkippedUntil = self.clock.now + self.redisRetryAfter
    }
}
