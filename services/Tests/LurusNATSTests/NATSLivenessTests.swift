import LurusNATS
import TestServers
import Testing

/// Pings both ways, hung servers and cancellation, against a real nats-server.
@Suite("NATSClient liveness against nats-server")
struct NATSLivenessTests {
    @Test("answers the server's pings, so the server keeps the connection")
    func answersServerPings() async throws {
        // Unanswered, the server would close the connection after about 2 s; the test waits 3 s. (With
        // 250 ms and 2 pings, a client busy for 750 ms on a loaded 2-core CI machine was once closed.)
        let server = try await NATSServerProcess.start(
            jetStream: false,
            extraConfiguration: "ping_interval: \"500ms\"\nping_max: 3\n"
        )
        let client = try await TestSupport.connect(to: server)
        try await Task.sleep(for: .milliseconds(3000))
        #expect(client.isConnected)
        try await client.flush()
        await client.close()
    }

    @Test("a hung server is detected by keep-alive pings and fails pending requests")
    func hungServer() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server) { configuration in
            configuration.pingInterval = .milliseconds(100)
            configuration.maxPingsOutstanding = 2
        }
        let (pendingError, closedAfter, listener) = try await TestSupport.requestWhileServerBreaks(
            client: client,
            server: server
        ) { server.suspend() }
        #expect(pendingError == .connectionClosed)
        #expect(closedAfter < .seconds(10), "the pings, not the request's 30 s timeout, ended it")
        #expect(!client.isConnected)
        server.resume()
        await listener.close()
    }

    @Test("a cancelled request stops waiting at once")
    func cancelledRequest() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        let subscription = try await client.subscribe("slow")
        let clock = ContinuousClock()
        var cancelled = clock.now
        let error = await withTaskGroup(of: NATSError?.self) { group in
            group.addTask {
                await TestSupport.error {
                    _ = try await client.request("slow", payload: [], timeout: .seconds(30))
                }
            }
            var iterator = subscription.makeAsyncIterator()
            _ = await iterator.next()  // The request has reached the server.
            cancelled = clock.now
            group.cancelAll()
            return await group.next() ?? nil
        }
        #expect(TestSupport.kind(error) == "timeout")
        #expect("\(String(describing: error))".contains("cancelled"))
        #expect(clock.now - cancelled < .seconds(10), "the cancellation, not the 30 s timeout, ended it")
        #expect(client.isConnected)
        try await client.flush()
        await client.close()
    }

    @Test("waitUntilClosed returns when its task is cancelled")
    func cancelledWait() async throws {
        let server = try await NATSServerProcess.start(jetStream: false)
        let client = try await TestSupport.connect(to: server)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await client.waitUntilClosed()
            }
            try? await Task.sleep(for: .milliseconds(50))
            group.cancelAll()
        }
        #expect(client.isConnected)
        await client.close()
    }
}
