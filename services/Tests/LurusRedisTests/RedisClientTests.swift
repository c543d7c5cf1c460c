import Foundation
import Logging
import NIOCore
import TestServers
import Testing

@testable import LurusRedis

/// The client against a real `redis-server` (started per test, with a password): commands, expiry,
/// refused passwords, a hung server, a restarted one, and subscriptions that come back.
@Suite struct RedisClientTests {
    static let logger = Logger(label: "test.redis")

    static func client(
        _ server: RedisServerProcess,
        password: String? = nil,
        // Generous: a loaded CI machine runs many servers at once; the timeout tests set their own.
        timeout: Duration = .seconds(5)
    )
        -> RedisClient
    {
        RedisClient(
            RedisConfiguration(
                port: server.port,
                password: password ?? server.password,
                commandTimeout: timeout,
                clientName: "lurus-test"
            ),
            logger: Self.logger
        )
    }

    @Test func setGetDeleteAndExpiry() async throws {
        let server = try await RedisServerProcess.start()
        let redis = Self.client(server)
        try await redis.ping()
        #expect(try await redis.get("catalog") == nil)
        let body = Array("{\"providers\":[]}\r\n$-1\r\n".utf8)  // bytes that look like RESP stay bytes
        try await redis.set("catalog", body)
        #expect(try await redis.get("catalog") == body)
        try await redis.set("short", Array("x".utf8), expiry: .seconds(1))
        #expect(try await redis.get("short") == Array("x".utf8))
        try await Task.sleep(for: .milliseconds(1500))
        #expect(try await redis.get("short") == nil, "gone after its expiry")
        #expect(try await redis.delete(["catalog", "missing"]) == 1)
        #expect(try await redis.get("catalog") == nil)
        await redis.close()
    }

    @Test func manyCommandsAtOnceGetTheirOwnReplies() async throws {
        let server = try await RedisServerProcess.start()
        let redis = Self.client(server)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await redis.set("key-\(index)", Array("value-\(index)".utf8))
                    #expect(try await redis.get("key-\(index)") == Array("value-\(index)".utf8))
                }
            }
            try await group.waitForAll()
        }
        await redis.close()
    }

    @Test func aWrongPasswordIsRefusedSayingSo() async throws {
        let server = try await RedisServerProcess.start()
        let redis = Self.client(server, password: "not-the-password")
        await #expect {
            try await redis.ping()
        } throws: { error in
            guard case .authenticationFailed(let message) = error as? RedisError else { return false }
            return message.contains("WRONGPASS") || message.contains("invalid password")
        }
        let anonymous = RedisClient(RedisConfiguration(port: server.port), logger: Self.logger)
        await #expect(throws: RedisError.server("NOAUTH Authentication required.")) { try await anonymous.ping() }
    }

    @Test func aServerThatStopsAnsweringTimesOutAndTheNextCommandConnectsAgain() async throws {
        let server = try await RedisServerProcess.start()
        // Long enough for a loaded CI machine to answer the first command; the frozen server never does.
        let redis = Self.client(server, timeout: .seconds(2))
        try await redis.set("before", Array("ok".utf8))
        server.suspend()
        let start = ContinuousClock.now
        await #expect(throws: RedisError.timedOut(command: "GET", after: .seconds(2))) {
            try await redis.get("before")
        }
        #expect(ContinuousClock.now - start < .seconds(15), "the deadline, not the server, ended it")
        server.resume()
        // The timed-out connection was closed (its late reply would answer the wrong command): a new one.
        #expect(try await redis.get("before") == Array("ok".utf8))
    }

    @Test func aRestartedServerIsReconnectedToAndAStoppedOneNamed() async throws {
        let server = try await RedisServerProcess.start()
        let redis = Self.client(server)
        try await redis.set("before", Array("1".utf8))
        try await server.restart()
        // The old connection is gone: at most the first command after it fails, then it reconnects.
        let before: [UInt8]?
        do {
            before = try await redis.get("before")
        } catch {
            before = try await redis.get("before")
        }
        #expect(before == nil, "a restart without persistence forgets")
        try await redis.set("after", Array("2".utf8))
        #expect(try await redis.get("after") == Array("2".utf8))
        server.stop()
        await #expect {
            try await redis.ping()
        } throws: { error in
            guard let error = error as? RedisError else { return false }
            if case .connectFailed(_, let port, _) = error {
                return port == server.port && error.description.contains("is redis-server running there")
            }
            return error == .connectionClosed
        }
    }

    @Test func aSubscriptionHearsMessagesAndComesBackAfterARestart() async throws {
        let server = try await RedisServerProcess.start()
        let configuration = RedisConfiguration(port: server.port, password: server.password)
        let events = RedisSubscriber.events(
            configuration,
            channels: ["lurus.catalog", "lurus.keys"],
            maximumBackoff: .milliseconds(200),
            logger: Self.logger
        )
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .subscribed(reconnected: false))
        let redis = Self.client(server)
        #expect(try await redis.publish("lurus.catalog", Array("v2".utf8)) == 1)
        #expect(try await redis.publish("lurus.other", Array("no".utf8)) == 0)
        #expect(try await redis.publish("lurus.keys", Array("k".utf8)) == 1)
        #expect(await iterator.next() == .message(channel: "lurus.catalog", payload: Array("v2".utf8)))
        #expect(await iterator.next() == .message(channel: "lurus.keys", payload: Array("k".utf8)))

        try await server.restart()
        #expect(await iterator.next() == .subscribed(reconnected: true), "told that messages may have been missed")
        var published = 0
        for _ in 0..<20 where published == 0 {
            published = (try? await redis.publish("lurus.catalog", Array("v3".utf8))) ?? 0
            if published == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(published == 1)
        #expect(await iterator.next() == .message(channel: "lurus.catalog", payload: Array("v3".utf8)))
    }
}
