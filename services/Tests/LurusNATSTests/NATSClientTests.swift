import LurusNATS
import TestServers
import Testing

/// The core client against a real nats-server (each test starts its own).
@Suite("NATSClient against nats-server")
struct NATSClientTests {
    @Test("connects with the right password, fails with a wrong one")
    func authorization() async throws {
        let server = try await NATSServerProcess.start()
        let client = try await TestSupport.connect(to: server)
        #expect(client.isConnected)
        #expect(client.serverInfo?.jetStream == true)
        try await client.flush()
        await client.close()
        #expect(!client.isConnected)

        let error = await TestSupport.error {
            _ = try await TestSupport.connect(to: server, password: "wrong")
        }
        #expect(TestSupport.kind(error) == "authorizationViolation", "\(String(describing: error))")
    }

    @Test("connecting to a closed port fails as refused, not at the connect timeout")
    func closedPort() async throws {
        let port = try NATSServerProcess.unusedPort()
        var configuration = NATSConfiguration(host: "127.0.0.1", port: port)
        // Far beyond a refusal, even on a loaded machine: reaching it would mean the refusal was missed.
        configuration.connectTimeout = .seconds(30)
        let clock = ContinuousClock()
        let started = clock.now
        let error = await TestSupport.error {
            _ = try await NATSClient.connect(configuration, logger: TestSupport.logger)
        }
        #expect(TestSupport.kind(error) == "connectFailed", "\(String(describing: error))")
        #expect("\(String(describing: error))".lowercased().contains("refused"), "\(String(describing: error))")
        #expect(clock.now - started < .seconds(15))
    }

    @Test("publish and subscribe with headers")
    func publishSubscribe() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let publisher = try await TestSupport.connect(to: server)
        let subscriber = try await TestSupport.connect(to: server)
        let subscription = try await subscriber.subscribe("greet.*")
        try await publisher.publish(
            "greet.joe",
            payload: Array("hello\r\njoe".utf8),
            headers: ["Trace-Id": "t-1"]
        )
        try await publisher.publish("greet.ann", payload: [], replyTo: "answers")
        var iterator = subscription.makeAsyncIterator()
        let first = try #require(await iterator.next())
        #expect(first.subject == "greet.joe")
        #expect(first.payload == Array("hello\r\njoe".utf8))
        #expect(first.headers == ["Trace-Id": ["t-1"]])
        #expect(first.header("trace-id") == "t-1")
        #expect(first.status == nil)
        let second = try #require(await iterator.next())
        #expect(second.subject == "greet.ann")
        #expect(second.replyTo == "answers")
        #expect(second.headers.isEmpty)
        await subscription.unsubscribe()
        #expect(await iterator.next() == nil)
        await publisher.close()
        await subscriber.close()
    }

    @Test("request and reply")
    func requestReply() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let responder = try await TestSupport.connect(to: server)
        try await Self.withEchoResponder(on: responder, subject: "echo") {
            let reply = try await client.request(
                "echo",
                payload: Array("hi".utf8),
                headers: ["Ask": "1"]
            )
            #expect(reply.payload == Array("hi".utf8))
            #expect(reply.header("Echo") == "yes")
        }
        await client.close()
        await responder.close()
    }

    @Test("200 pipelined requests are all answered")
    func pipelinedRequests() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let responder = try await TestSupport.connect(to: server)
        try await Self.withEchoResponder(on: responder, subject: "echo") {
            try await withThrowingTaskGroup(of: (Int, NATSMessage).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let payload = Array("request \(index)".utf8)
                        return (
                            index,
                            try await client.request(
                                "echo",
                                payload: payload,
                                timeout: .seconds(10)
                            )
                        )
                    }
                }
                var answered = Set<Int>()
                for try await (index, reply) in group {
                    #expect(reply.payload == Array("request \(index)".utf8))
                    answered.insert(index)
                }
                #expect(answered.count == 200)
            }
        }
        await client.close()
        await responder.close()
    }

    @Test("a batch of requests goes out together and gets each reply in its place")
    func batchRequests() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let responder = try await TestSupport.connect(to: server)
        let silent = try await client.subscribe("silent")
        try await Self.withEchoResponder(on: responder, subject: "echo") {
            let batch = (0..<50).map { NATSRequest(subject: "echo", payload: Array("request \($0)".utf8)) }
            let replies = await client.requests(batch, timeout: .seconds(10))
            let payloads = try replies.map { try $0.get().payload }
            #expect(payloads == batch.map(\.payload))

            let clock = ContinuousClock()
            let started = clock.now
            let mixed = await client.requests(
                [
                    NATSRequest(subject: "echo", payload: Array("a".utf8)),
                    NATSRequest(subject: "nobody.home", payload: []),
                    NATSRequest(subject: "silent", payload: []),
                    NATSRequest(subject: "two words", payload: []),
                ],
                timeout: .seconds(1)
            )
            let echoed = try mixed[0].get()
            #expect(echoed.payload == Array("a".utf8))
            #expect(mixed[1].failure == .noResponders("nobody.home"))
            #expect(TestSupport.kind(mixed[2].failure) == "timeout")
            #expect(TestSupport.kind(mixed[3].failure) == "protocolViolation")
            #expect(clock.now - started < .seconds(10), "bounded by the 1 s timeout, not hung")
        }
        await silent.unsubscribe()
        await client.close()
        await responder.close()
    }

    @Test("a request nobody listens to fails with noResponders")
    func noResponders() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let error = await TestSupport.error {
            _ = try await client.request("nobody.home", payload: [])
        }
        #expect(error == .noResponders("nobody.home"))
        await client.close()
    }

    @Test("an unanswered request times out")
    func requestTimeout() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let subscription = try await client.subscribe("silent")
        let clock = ContinuousClock()
        let started = clock.now
        let error = await TestSupport.error {
            _ = try await client.request("silent", payload: [], timeout: .milliseconds(200))
        }
        #expect(TestSupport.kind(error) == "timeout")
        #expect(clock.now - started < .seconds(10), "bounded by the 200 ms timeout, not hung")
        #expect(client.isConnected)
        await subscription.unsubscribe()
        await client.close()
    }

    @Test("publishing more than max_payload is refused with both sizes")
    func maxPayload() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let limit = try #require(client.serverInfo?.maxPayload)
        let error = await TestSupport.error {
            try await client.publish("big", payload: [UInt8](repeating: 0, count: limit + 1))
        }
        #expect(TestSupport.kind(error) == "protocolViolation")
        #expect("\(String(describing: error))".contains("\(limit + 1)"))
        #expect("\(String(describing: error))".contains("\(limit)"))
        #expect(client.isConnected)
        try await client.publish("big", payload: [UInt8](repeating: 0, count: limit - 100))
        try await client.flush()
        await client.close()
    }

    @Test("invalid subjects are refused before anything is sent")
    func invalidSubject() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let error = await TestSupport.error {
            try await client.publish("two words", payload: [])
        }
        #expect(TestSupport.kind(error) == "protocolViolation")
        let headerError = await TestSupport.error {
            try await client.publish("s", payload: [], headers: ["Bad": "line\r\nbreak"])
        }
        #expect(TestSupport.kind(headerError) == "protocolViolation")
        try await client.flush()
        await client.close()
    }

    @Test("a stopped server fails pending and later operations with connectionClosed")
    func serverStopped() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let clientSubscription = try await client.subscribe("anything")
        let (pendingError, closedAfter, listener) = try await TestSupport.requestWhileServerBreaks(
            client: client,
            server: server
        ) { server.stop() }
        #expect(pendingError == .connectionClosed)
        #expect(closedAfter < .seconds(10), "the closed socket, not the request's 30 s timeout, ended it")
        #expect(!client.isConnected)
        var clientIterator = clientSubscription.makeAsyncIterator()
        #expect(await clientIterator.next() == nil)
        let error = await TestSupport.error {
            try await client.publish("after", payload: [])
        }
        #expect(error == .connectionClosed)
        let flushError = await TestSupport.error {
            try await client.flush()
        }
        #expect(flushError == .connectionClosed)
        await listener.waitUntilClosed()
    }

    @Test("close finishes subscriptions and wakes waitUntilClosed")
    func close() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let subscription = try await client.subscribe("x")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in subscription {}
            }
            group.addTask {
                await client.waitUntilClosed()
            }
            await client.close()
            try await group.waitForAll()
        }
        #expect(!client.isConnected)
        let error = await TestSupport.error {
            _ = try await client.subscribe("y")
        }
        #expect(error == .connectionClosed)
    }

    /// Runs `body` while a responder on `client` echoes requests on `subject` (header Echo: yes).
    private static func withEchoResponder(
        on client: NATSClient,
        subject: String,
        _ body: () async throws -> Void
    ) async throws {
        let subscription = try await client.subscribe(subject)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await request in subscription {
                    guard let replyTo = request.replyTo else {
                        continue
                    }
                    try await client.publish(
                        replyTo,
                        payload: request.payload,
                        headers: ["Echo": "yes"]
                    )
                }
            }
            do {
                try await body()
            } catch {
                await subscription.unsubscribe()
                throw error
            }
            await subscription.unsubscribe()
            try await group.waitForAll()
        }
    }
}
