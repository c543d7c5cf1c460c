import Logging
import NIOCore
import NIOPosix

/// One TCP connection to Redis, ready (authenticated, database selected): commands go out as they come
/// and are answered in order, so many may be in flight at once.
final class RedisConnection: Sendable {
    let channel: any Channel
    let configuration: RedisConfiguration

    private init(channel: any Channel, configuration: RedisConfiguration) {
        self.channel = channel
        self.configuration = configuration
    }

    var isActive: Bool { self.channel.isActive }

    /// Connects within the configuration's connect timeout and runs its handshake. With `push`, values
    /// that answer no command (a subscriber's messages) go there.
    static func connect(
        _ configuration: RedisConfiguration,
        on eventLoop: any EventLoop,
        push: (@Sendable (RESPValue) -> Void)? = nil,
        closed: @escaping @Sendable () -> Void = {}
    ) async throws(RedisError) -> RedisConnection {
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(push: push, closed: closed))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            throw .connectFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        let connection = RedisConnection(channel: channel, configuration: configuration)
        for command in configuration.handshake {
            let reply: RESPValue
            do {
                reply = try await connection.send(command.map { Array($0.utf8) }, name: command[0])
            } catch {
                connection.close()
                throw error
            }
            if case .error(let message) = reply {
                connection.close()
                throw command[0] == "AUTH" ? .authenticationFailed(message) : .server(message)
            }
        }
        return connection
    }

    /// Sends `arguments` and waits for the reply, at most the configuration's command timeout. An error
    /// reply is returned as `.error`; the callers decide what it means.
    func send(_ arguments: [[UInt8]], name: String, timeout: Duration? = nil) async throws(RedisError) -> RESPValue {
        let promise = self.channel.eventLoop.makePromise(of: RESPValue.self)
        let request = RedisRequest(
            arguments: arguments,
            promise: promise,
            timeout: TimeAmount(timeout ?? self.configuration.commandTimeout),
            name: name
        )
        self.channel.writeAndFlush(request).whenFailure { _ in promise.fail(RedisError.connectionClosed) }
        do {
            return try await promise.futureResult.get()
        } catch let error as RedisError {
            throw error
        } catch {
            throw .connectionClosed
        }
    }

    /// Sends `arguments` expecting no reply of its own (a subscriber's SUBSCRIBE: its answers are pushes).
    func sendWithoutReply(_ arguments: [[UInt8]]) async throws(RedisError) {
        let request = RedisRequest(arguments: arguments, promise: nil, timeout: .zero, name: "")
        do {
            try await self.channel.writeAndFlush(request).get()
        } catch {
            throw .connectionClosed
        }
    }

    func close() {
        self.channel.close(promise: nil)
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
