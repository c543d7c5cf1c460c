import Logging
import NIOCore
import NIOPosix

extension NATSClient {
    /// Connects and completes the handshake (`INFO`, `CONNECT`, `PING`/`PONG`) within
    /// `configuration.connectTimeout`.
    /// Connects on `eventLoop`, or on one of the singleton group's when nil.
    public static func connect(
        _ configuration: NATSConfiguration,
        on eventLoop: (any EventLoop)? = nil,
        logger: Logger
    ) async throws(NATSError) -> NATSClient {
        var logger = logger
        logger[metadataKey: "nats.server"] = "\(configuration.host):\(configuration.port)"
        let eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        let deadline = NIODeadline.now() + TimeAmount(configuration.connectTimeout)
        let connection = NATSConnection(
            inboxPrefix: "_INBOX.\(Self.randomToken()).",
            logger: logger
        )
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { [logger] channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = NATSChannelHandler(connection: connection, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(
                host: configuration.host,
                port: configuration.port
            ).get()
        } catch {
            throw .connectFailed(
                host: configuration.host,
                port: configuration.port,
                reason: Self.describe(connectError: error)
            )
        }
        let client = NATSClient(
            channel: channel,
            connection: connection,
            configuration: configuration,
            logger: logger
        )
        do {
            try await client.handshake(deadline: deadline)
        } catch {
            await client.close()
            // The server's -ERR explains the failure better than the close that follows it.
            throw Self.handshakeFailure(
                connection.handshakeError ?? error,
                configuration: configuration
            )
        }
        client.startKeepalive()
        logger.debug("NATS connected")
        return client
    }

    private func handshake(deadline: NIODeadline) async throws(NATSError) {
        let info = try await self.connection.waitForInfo(
            on: self.channel.eventLoop,
            deadline: deadline
        ).get()
        guard info.headers else {
            throw .protocolViolation(
                "the server (version \(info.version)) does not support headers"
            )
        }
        var options = NATSConnectOptions(name: self.configuration.name)
        options.user = self.configuration.user
        options.password = self.configuration.password
        var buffer = NATSProtocolEncoder.encode(.connect(options))
        let inbox = NATSClientOperation.sub(
            subject: self.connection.inboxPrefix + "*",
            queueGroup: nil,
            sid: NATSConnection.inboxSID
        )
        NATSProtocolEncoder.encode(inbox, into: &buffer)
        do {
            try await self.channel.writeAndFlush(buffer).get()
            let owedPongs = self.connection.markConnectSent()
            if owedPongs > 0 {
                var pongs = ByteBuffer()
                for _ in 0..<owedPongs {
                    NATSProtocolEncoder.encode(.pong, into: &pongs)
                }
                try await self.channel.writeAndFlush(pongs).get()
            }
        } catch {
            throw .connectionClosed
        }
        try await self.roundTrip(deadline: deadline, what: "the handshake").get()
        guard self.connection.markConnected() else {
            throw .connectionClosed
        }
    }

    private func startKeepalive() {
        let interval = TimeAmount(self.configuration.pingInterval)
        let maxOutstanding = self.configuration.maxPingsOutstanding
        let connection = self.connection
        let channel = self.channel
        let logger = self.logger
        let tick: @Sendable (RepeatedTask) -> Void = { _ in
            switch connection.keepaliveTick(maxOutstanding: maxOutstanding) {
            case .ping:
                channel.writeAndFlush(NATSProtocolEncoder.encode(.ping), promise: nil)
            case .stale:
                logger.info("NATS server stopped answering pings; closing the connection")
                channel.close(promise: nil)
            case .idle:
                break
            }
        }
        let task = channel.eventLoop.scheduleRepeatedTask(
            initialDelay: interval,
            delay: interval,
            tick
        )
        connection.setKeepalive(task)
    }

    private static func handshakeFailure(
        _ error: NATSError,
        configuration: NATSConfiguration
    ) -> NATSError {
        switch error {
        case .connectionClosed:
            .connectFailed(
                host: configuration.host,
                port: configuration.port,
                reason: "the server closed the connection during the handshake"
            )
        case .timeout(let what):
            .timeout("connecting to \(configuration.host):\(configuration.port): \(what)")
        default:
            error
        }
    }

    private static func describe(connectError error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            if error.dnsAAAAError != nil, error.dnsAError != nil {
                return "cannot resolve the host name"
            }
            if let first = error.connectionErrors.first {
                return "\(first.error)"
            }
        }
        if case ChannelError.connectTimeout(let amount) = error {
            return "TCP connect timed out after \(Duration(amount))"
        }
        return "\(error)"
    }

    private static func randomToken() -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        return String((0..<22).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
