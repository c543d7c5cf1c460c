/// How a consumer answers a JetStream delivery, sent to the delivery's reply subject.
public enum AckKind: Sendable, Equatable {
    /// Processed: never deliver it again (`+ACK`).
    case ack
    /// Not processed: deliver it again, after `delay` when given, else as soon as the server
    /// gets to it (`+NAK`; nats-server 2.9 redelivers to a waiting pull request at its next
    /// ack-wait check).
    case nak(delay: Duration?)
    /// Never processable: never deliver it again, and do not count it as processed (`+TERM`).
    case term
    /// Still working on it: restart its ack wait (`+WPI`).
    case inProgress

    /// The payload the server reads.
    public var payload: [UInt8] {
        switch self {
        case .ack: Array("+ACK".utf8)
        case .nak(nil): Array("+NAK".utf8)
        case .nak(let delay?): Array(#"+NAK {"delay":\#(delay.jetStreamNanoseconds)}"#.utf8)
        case .term: Array("+TERM".utf8)
        case .inProgress: Array("+WPI".utf8)
        }
    }
}
