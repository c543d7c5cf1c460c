import Logging
import NIOCore

/// Feeds inbound bytes to the parser, hands the operations to the connection and performs the
/// actions it returns. All protocol decisions live in `NATSProtocolParser` and `NATSConnection`.
final class NATSChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var parser = NATSProtocolParser()
    private let connection: NATSConnection
    private let logger: Logger

    init(connection: NATSConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let operations: [NATSServerOperation]
        do {
            operations = try self.parser.feed(self.unwrapInboundIn(data))
        } catch {
            self.logger.error("NATS protocol error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        var wrote = false
        for operation in operations {
            switch self.connection.receive(operation) {
            case .none:
                continue
            case .send(let reply):
                context.write(self.wrapOutboundOut(NATSProtocolEncoder.encode(reply)), promise: nil)
                wrote = true
            case .close:
                context.close(promise: nil)
                return
            }
        }
        if wrote {
            context.flush()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connection.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("NATS connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
