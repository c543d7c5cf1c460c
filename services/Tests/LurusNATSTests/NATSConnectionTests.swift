import Logging
import Testing

@testable import LurusNATS

@Suite("NATSConnection")
struct NATSConnectionTests {
    @Test("answers the server's PING with PONG, but only after CONNECT")
    func answersPing() {
        let connection = NATSConnection(inboxPrefix: "_INBOX.t.", logger: Logger(label: "test"))
        #expect(connection.receive(.ping) == nil)
        #expect(connection.receive(.ping) == nil)
        #expect(connection.markConnectSent() == 2)
        #expect(connection.receive(.ping) == .send(.pong))
        #expect(connection.markConnectSent() == 0)
    }

    @Test("an -ERR during the handshake closes the connection")
    func errorDuringHandshake() {
        let connection = NATSConnection(inboxPrefix: "_INBOX.t.", logger: Logger(label: "test"))
        #expect(connection.receive(.err("Authorization Violation")) == .close)
    }

    @Test("keep-alive pings until too many go unanswered")
    func keepalive() {
        let connection = NATSConnection(inboxPrefix: "_INBOX.t.", logger: Logger(label: "test"))
        #expect(connection.keepaliveTick(maxOutstanding: 2) == .idle)
        #expect(connection.markConnected())
        #expect(connection.keepaliveTick(maxOutstanding: 2) == .ping)
        #expect(connection.keepaliveTick(maxOutstanding: 2) == .ping)
        #expect(connection.keepaliveTick(maxOutstanding: 2) == .stale)
        #expect(connection.receive(.pong) == nil)
        #expect(connection.keepaliveTick(maxOutstanding: 2) == .ping)
        connection.closed()
        #expect(connection.phase == .closed)
        #expect(connection.keepaliveTick(maxOutstanding: 2) == .idle)
    }
}
