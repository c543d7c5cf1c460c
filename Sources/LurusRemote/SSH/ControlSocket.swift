import Crypto
import Foundation
import LurusInventory

/// The two requests of OpenSSH's ControlMaster protocol (`PROTOCOL.mux`, version 4) that lurusctl makes
/// itself instead of starting `ssh -O check` or `ssh -O exit`, a process each (about 7 ms of CPU; four at
/// once at the end of every run, on two cores shared with the nodes): is a master alive, and end it.
///
/// Written by hand, since no library speaks this protocol; it is a hello each way, one request and one
/// answer over the master's UNIX socket, each way within 2 s. When an answer is not the one expected,
/// callers fall back to ssh itself.
public enum ControlSocket {
    /// The socket's file name for `node`: a hash of where its connection goes (as ssh's own `%C` is), so
    /// that a kept master serves whichever inventory names the same destination, and lurusctl knows the
    /// path without asking ssh.
    public static func name(of node: Node) -> String {
        let destination = "\(node.ssh.user)@\(node.address):\(node.ssh.port) via \(node.ssh.proxyJump ?? "-")"
        return SHA256.hash(data: Data(destination.utf8)).prefix(10).map { String(format: "%02x", $0) }.joined()
    }

    /// What a master at `path` said.
    public enum Answer: Sendable, Equatable {
        /// Nothing listens there (no socket file, or connection refused): no master.
        case noMaster
        /// The master is alive, with this process id, or did what was asked.
        case alive(pid: Int32)
        case ended
        /// It answered something else, or not in time: ask ssh.
        case unclear
    }

    static let hello: UInt32 = 0x0000_0001
    static let aliveCheck: UInt32 = 0x1000_0004
    static let terminate: UInt32 = 0x1000_0005
    static let ok: UInt32 = 0x8000_0001
    static let alive: UInt32 = 0x8000_0005

    /// Whether the master at `path` is alive.
    public static func check(_ path: String) -> Answer {
        self.request(self.aliveCheck, at: path) { type, body in
            guard type == Self.alive, body.count >= 8 else { return .unclear }
            return .alive(pid: Int32(bitPattern: Self.number(body.dropFirst(4).prefix(4))))
        }
    }

    /// Asks the master at `path` to end at once. It often exits before its answer is sent (OpenSSH's own
    /// comment says so); ssh takes the connection closing then as done, and so does this.
    public static func exit(_ path: String) -> Answer {
        self.request(self.terminate, at: path, closedMeans: .ended) { type, _ in type == Self.ok ? .ended : .unclear }
    }

    private static func request(
        _ type: UInt32,
        at path: String,
        closedMeans closed: Answer = .unclear,
        reading: (UInt32, ArraySlice<UInt8>) -> Answer
    ) -> Answer {
        guard FileManager.default.fileExists(atPath: path) else { return .noMaster }
        let socket = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return .unclear }
        defer { close(socket) }
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(socket, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return .unclear }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return errno == ECONNREFUSED || errno == ENOENT ? .noMaster : .unclear }
        guard Self.send([Self.hello, 4], on: socket), case .message(Self.hello, _) = Self.receive(on: socket) else {
            return .unclear
        }
        guard Self.send([type, 1], on: socket) else { return .unclear }
        let answer: UInt32
        let body: ArraySlice<UInt8>
        switch Self.receive(on: socket) {
        case .message(let type, let rest): (answer, body) = (type, rest)
        case .closed: return closed
        case .failed: return .unclear
        }
        // Every answer to a request starts with the request's id.
        guard body.count >= 4, Self.number(body.prefix(4)) == 1 else { return .unclear }
        return reading(answer, body)
    }

    /// Sends one message: its length, then `words` (the type first) as 32-bit big-endian numbers.
    private static func send(_ words: [UInt32], on socket: Int32) -> Bool {
        let message = ([UInt32(words.count * 4)] + words).flatMap { word in
            [UInt8(word >> 24), UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
        }
        return message.withUnsafeBytes { Foundation.send(socket, $0.baseAddress, $0.count, 0) } == message.count
    }

    private enum Received {
        /// A message: its type and the rest of its body.
        case message(UInt32, ArraySlice<UInt8>)
        /// The master closed the connection before a whole message.
        case closed
        /// A timeout, an error, or a message that is not one.
        case failed
    }

    private static func receive(on socket: Int32) -> Received {
        let header: [UInt8]
        switch Self.read(4, from: socket) {
        case .success(let bytes): header = bytes
        case .failure(let failure): return failure.received
        }
        let length = Int(Self.number(header))
        guard length >= 4, length < 1 << 16 else { return .failed }
        switch Self.read(length, from: socket) {
        case .success(let message): return .message(Self.number(message.prefix(4)), message.dropFirst(4))
        case .failure(let failure): return failure.received
        }
    }

    private static func read(_ count: Int, from socket: Int32) -> Result<[UInt8], ReadFailure> {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { recv(socket, $0.baseAddress! + offset, count - offset, 0) }
            if got > 0 {
                offset += got
            } else if got == 0 || errno == ECONNRESET {
                return .failure(ReadFailure(received: .closed))
            } else if errno != EINTR {
                return .failure(ReadFailure(received: .failed))
            }
        }
        return .success(bytes)
    }

    private struct ReadFailure: Error {
        var received: Received
    }

    private static func number(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
