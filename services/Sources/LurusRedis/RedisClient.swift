import Logging
import NIOCore
import NIOPosix

/// A Redis client for the services' caches: one pipelined connection, made on first use and again after it
/// is lost (a restart of Redis, a timed-out command), so a caller only ever sees the one command fail.
///
/// Written here because no Swift Redis client is in the machine's package copy; it speaks RESP2 and only
/// the commands the services use (GET, SET with expiry, DEL, PUBLISH, PING; `RedisSubscriber` for
/// SUBSCRIBE).
public actor RedisClient {
    public let configuration: RedisConfiguration
    private let eventLoop: any EventLoop
    private let logger: Logger
    private var connection: RedisConnection?
    private var connecting: Task<RedisConnection, any Error>?

    public init(_ configuration: RedisConfiguration, eventLoop: (any EventLoop)? = nil, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        var logger = logger
        logger[metadataKey: "redis.server"] = "\(configuration.host):\(configuration.port)"
        self.logger = logger
    }

    /// The ready connection: the current one while it is open, else a new one (one connect at a time).
    private func ready() async throws(RedisError) -> RedisConnection {
        if let connection = self.connection, connection.isActive { return connection }
        self.connection = nil
        let task: Task<RedisConnection, any Error>
        if let connecting = self.connecting {
            task = connecting
        } else {
            let configuration = self.configuration
            let eventLoop = self.eventLoop
            task = Task { try await RedisConnection.connect(configuration, on: eventLoop) }
            self.connecting = task
        }
        do {
            let connection = try await task.value
            self.connecting = nil
            self.connection = connection
            return connection
        } catch {
            self.connecting = nil
            throw (error as? RedisError) ?? .connectionClosed
        }
    }

    /// Sends a command (its name first) and returns the reply; an error reply throws `.server`.
    public func send(_ arguments: [String]) async throws(RedisError) -> RESPValue {
        try await self.send(arguments.map { Array($0.utf8) }, name: arguments.first ?? "")
    }

    func send(_ arguments: [[UInt8]], name: String) async throws(RedisError) -> RESPValue {
        let connection = try await self.ready()
        let reply: RESPValue
        do {
            reply = try await connection.send(arguments, name: name)
        } catch {
            self.logger.debug("Redis command failed", metadata: ["command": "\(name)", "error": "\(error)"])
            throw error
        }
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    /// The value of `key`, nil when there is none.
    public func get(_ key: String) async throws(RedisError) -> [UInt8]? {
        let reply = try await self.send([Array("GET".utf8), Array(key.utf8)], name: "GET")
        switch reply {
        case .bulkString(let bytes): return bytes
        default: throw .unexpectedReply(command: "GET", reply: "\(reply)")
        }
    }

    /// Sets `key` to `value`, gone after `expiry` (milliseconds precision) when given.
    public func set(_ key: String, _ value: [UInt8], expiry: Duration? = nil) async throws(RedisError) {
        var arguments = [Array("SET".utf8), Array(key.utf8), value]
        if let expiry {
            let milliseconds = max(
                1,
                expiry.components.seconds * 1000 + expiry.components.attoseconds / 1_000_000_000_000_000
            )
            arguments += [Array("PX".utf8), Array(String(milliseconds).utf8)]
        }
        let reply = try await self.send(arguments, name: "SET")
        guard reply.string == "OK" else { throw .unexpectedReply(command: "SET", reply: "\(reply)") }
    }

    /// Deletes `keys`; returns how many there were.
    @discardableResult
    public func delete(_ keys: [String]) async throws(RedisError) -> Int {
        guard !keys.isEmpty else { return 0 }
        let reply = try await self.send([Array("DEL".utf8)] + keys.map { Array($0.utf8) }, name: "DEL")
        guard let count = reply.integer else { throw .unexpectedReply(command: "DEL", reply: "\(reply)") }
        return Int(count)
    }

    /// Publishes `message` on `channel`; returns how many subscribers received it.
    @discardableResult
    public func publish(_ channel: String, _ message: [UInt8]) async throws(RedisError) -> Int {
        let reply = try await self.send([Array("PUBLISH".utf8), Array(channel.utf8), message], name: "PUBLISH")
        guard let count = reply.integer else { throw .unexpectedReply(command: "PUBLISH", reply: "\(reply)") }
        return Int(count)
    }

    /// Round trip to the server (a health check).
    public func ping() async throws(RedisError) {
        let reply = try await self.send(["PING"])
        guard reply.string == "PONG" else { throw .unexpectedReply(command: "PING", reply: "\(reply)") }
    }

    public func close() {
        self.connection?.close()
        self.connection = nil
    }
}
