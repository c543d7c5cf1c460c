import NIOCore

/// One command on its way: its arguments, the promise of its reply, and how long it may wait.
struct RedisRequest {
    var arguments: [[UInt8]]
    var promise: EventLoopPromise<RESPValue>?
    var timeout: TimeAmount
    /// For the error when it times out: the command's name (never its arguments, which may be secret).
    var name: String
}

/// Sends commands in order and hands each reply to the command it answers (RESP answers in order).
/// On the event loop only. A command that outlives its deadline closes the connection: a reply arriving
/// later would be taken for the next command's. In push mode (a subscriber) every value goes to `push`.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var id: UInt64
        var promise: EventLoopPromise<RESPValue>
        var timer: Scheduled<Void>
        var name: String
        var timeout: TimeAmount
    }

    private var parser = RESPParser()
    private var waiting = CircularBuffer<Waiting>()
    private var nextID: UInt64 = 0
    private let push: (@Sendable (RESPValue) -> Void)?
    private let closed: @Sendable () -> Void

    init(push: (@Sendable (RESPValue) -> Void)? = nil, closed: @escaping @Sendable () -> Void = {}) {
        self.push = push
        self.closed = closed
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let reply = request.promise {
            self.nextID += 1
            let id = self.nextID
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let timer = context.eventLoop.scheduleTask(in: request.timeout) {
                bound.value.0.timedOut(id, context: bound.value.1)
            }
            self.waiting.append(
                Waiting(id: id, promise: reply, timer: timer, name: request.name, timeout: request.timeout)
            )
        }
        context.write(self.wrapOutboundOut(RESPEncoder.encode(request.arguments)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let values: [RESPValue]
        do {
            values = try self.parser.feed(self.unwrapInboundIn(data))
        } catch {
            self.failAll(error)
            context.close(promise: nil)
            return
        }
        for value in values {
            if let push = self.push, self.waiting.isEmpty {
                push(value)
                continue
            }
            guard let next = self.waiting.popFirst() else {
                self.failAll(.protocolViolation("a reply came for no command"))
                context.close(promise: nil)
                return
            }
            next.timer.cancel()
            next.promise.succeed(value)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(.connectionClosed)
        self.closed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failAll(.connectionClosed)
        context.close(promise: nil)
    }

    /// Command `id` waited too long: it fails, every other waiting command fails too (their replies can no
    /// longer be told apart), and the connection closes.
    private func timedOut(_ id: UInt64, context: ChannelHandlerContext) {
        guard let index = self.waiting.firstIndex(where: { $0.id == id }) else { return }
        let late = self.waiting.remove(at: index)
        late.promise.fail(RedisError.timedOut(command: late.name, after: .nanoseconds(late.timeout.nanoseconds)))
        self.failAll(.connectionClosed)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        while let next = self.waiting.popFirst() {
            next.timer.cancel()
            next.promise.fail(error)
        }
    }
}
