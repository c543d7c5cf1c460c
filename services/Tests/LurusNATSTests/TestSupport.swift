import Logging
import LurusNATS
import TestServers
import Testing

/// Helpers shared by the tests that run a real nats-server.
enum TestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "lurus.nats.tests")
        logger.logLevel = .error
        return logger
    }()

    /// Connects to `server` as its user, with `password` (default: the right one).
    static func connect(
        to server: NATSServerProcess,
        password: String? = nil,
        configure: (inout NATSConfiguration) -> Void = { _ in }
    ) async throws(NATSError) -> NATSClient {
        var configuration = try NATSConfiguration(url: server.url)
        configuration.user = server.user
        configuration.password = password ?? server.password
        configuration.name = "lurus-nats-tests"
        // More than the 2 s default: all the suites start their servers at once on 2 cores, and a
        // handshake then once waited longer (the tests of the timeout itself set their own).
        configuration.connectTimeout = .seconds(10)
        configure(&configuration)
        return try await NATSClient.connect(configuration, logger: Self.logger)
    }

    /// Sends `client` a request that a listener on `server` receives and never answers, calls
    /// `breakServer` once it has arrived, and waits for the request to fail and the client to
    /// close. Returns the request's error, the time from the break to the close, and the listener.
    static func requestWhileServerBreaks(
        client: NATSClient,
        server: NATSServerProcess,
        breakServer: () -> Void
    ) async throws -> (error: NATSError?, closedAfter: Duration, listener: NATSClient) {
        let listener = try await Self.connect(to: server)
        let subscription = try await listener.subscribe("slow")
        async let pending = Self.error {
            _ = try await client.request("slow", payload: [], timeout: .seconds(30))
        }
        var iterator = subscription.makeAsyncIterator()
        _ = await iterator.next()  // The request has reached the server.
        let clock = ContinuousClock()
        let started = clock.now
        breakServer()
        let error = await pending
        await client.waitUntilClosed()
        return (error, clock.now - started, listener)
    }

    /// The name of `error`'s case, to check which error came without matching its text.
    static func kind(_ error: NATSError?) -> String {
        switch error {
        case .invalidURL?: "invalidURL"
        case .connectFailed?: "connectFailed"
        case .authorizationViolation?: "authorizationViolation"
        case .serverError?: "serverError"
        case .timeout?: "timeout"
        case .connectionClosed?: "connectionClosed"
        case .noResponders?: "noResponders"
        case .protocolViolation?: "protocolViolation"
        case nil: "none"
        }
    }

    /// Runs `body` and returns the `NATSError` it throws, or nil (any other error is an issue).
    static func error(of body: () async throws -> Void) async -> NATSError? {
        do {
            try await body()
            return nil
        } catch let error as NATSError {
            return error
        } catch {
            Issue.record("expected a NATSError, got \(error)")
            return nil
        }
    }
}

extension Result {
    /// The error of a failed result, nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
