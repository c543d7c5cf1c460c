/// The frames `lurusctl` and a node's agent exchange over the agent's one SSH channel.
///
/// Each frame is a kind byte, a job id and a payload length (both 32-bit big-endian), then the payload.
/// To the agent: `R` run (payload: the deadline in seconds as 32 bits, then the command line), `I` bytes for
/// the job's stdin, `C` close its stdin, `K` stop it (TERM to its process group, KILL 5 s later). From the
/// agent: `H` ready (job 0), `O` stdout bytes, `E` stderr bytes, `X` the job ended (payload: `exit N`,
/// `signal N`, `timeout` or `failed: why`), sent after both its outputs reached their end.
public struct AgentFrame: Sendable, Hashable {
    public enum Kind: UInt8, Sendable {
        case run = 0x52  // R
        case input = 0x49  // I
        case closeInput = 0x43  // C
        case stop = 0x4B  // K
        case ready = 0x48  // H
        case stdout = 0x4F  // O
        case stderr = 0x45  // E
        case ended = 0x58  // X
    }

    public var kind: Kind
    public var job: UInt32
    public var payload: [UInt8]

    public init(_ kind: Kind, job: UInt32, payload: [UInt8] = []) {
        self.kind = kind
        self.job = job
        self.payload = payload
    }

    static let headerSize = 9

    /// The largest payload either side sends in one frame; longer input is cut into frames this size.
    public static let maximumPayload = 1 << 16

    public var encoded: [UInt8] {
        var bytes = [self.kind.rawValue]
        bytes.reserveCapacity(Self.headerSize + self.payload.count)
        bytes += Self.bigEndian(self.job) + Self.bigEndian(UInt32(self.payload.count)) + self.payload
        return bytes
    }

    /// The frame that starts `line` on the node with a deadline of `seconds`.
    public static func run(job: UInt32, line: [UInt8], seconds: Int) -> AgentFrame {
        AgentFrame(.run, job: job, payload: Self.bigEndian(UInt32(clamping: seconds)) + line)
    }

    /// How a job ended, from an `ended` frame's payload; nil when the agent could not start it (with why).
    public static func outcome(of payload: [UInt8]) -> Result<RemoteRunner.Outcome, AgentStartFailure> {
        let text = String(decoding: payload, as: UTF8.self)
        if text == "timeout" { return .success(.timedOut) }
        if text.hasPrefix("exit "), let code = Int32(text.dropFirst(5)) { return .success(.exited(code)) }
        if text.hasPrefix("signal "), let signal = Int32(text.dropFirst(7)) { return .success(.signaled(signal)) }
        return .failure(AgentStartFailure(reason: text))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// The agent could not start a command (no fork, no pipe): its words.
public struct AgentStartFailure: Error, Sendable, Hashable {
    public var reason: String
}

/// Cuts a byte stream into frames as the bytes arrive.
public struct AgentFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public enum Failure: Error, Equatable {
        /// A kind byte this side does not know: the stream is not the agent's (or is corrupt).
        case unknownKind(UInt8)
    }

    /// The whole frames `bytes` completes; a partial one waits for the next call.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(Failure) -> [AgentFrame] {
        self.buffer += bytes
        var frames: [AgentFrame] = []
        while self.buffer.count - self.start >= AgentFrame.headerSize {
            let header = self.buffer[self.start..<self.start + AgentFrame.headerSize]
            guard let kind = AgentFrame.Kind(rawValue: header.first!) else { throw .unknownKind(header.first!) }
            let job = Self.number(header.dropFirst(1).prefix(4))
            let length = Int(Self.number(header.dropFirst(5)))
            let end = self.start + AgentFrame.headerSize + length
            guard self.buffer.count >= end else { break }
            frames.append(
                AgentFrame(kind, job: job, payload: Array(self.buffer[(self.start + AgentFrame.headerSize)..<end]))
            )
            self.start = end
        }
        // Drop what was read once it is most of the buffer, so the buffer does not grow with the stream.
        if self.start > 0, self.start * 2 >= self.buffer.count {
            self.buffer.removeFirst(self.start)
            self.start = 0
        }
        return frames
    }

    private static func number(_ bytes: some Collection<UInt8>) -> UInt32 {
        bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
